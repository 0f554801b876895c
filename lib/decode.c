/* decode.c: streaming profile.proto decoder: inflates on the fly, turns each
 * top-level field into the model as it arrives, then resolves ids and strings. */
#include "decode_ahead.h"
#include "idmap.h"
#include "internal.h"
#include "pager.h"

#include <zlib.h>

/* ---------------------------------------------------------------- input window */

/* The bytes being decoded: either the caller's raw buffer, or a window that
 * inflate refills. Offsets in errors count decompressed bytes. */
typedef struct src {
    const uint8_t *in;
    size_t in_len;
    bool gz;
    bool z_live, z_done;
    z_stream z;
    uint8_t *win;
    size_t cap, pos, end;
    uint64_t base; /* decompressed offset of win[0] */
    uint64_t total, max;
    pprof_error *err;
    int failed; /* sticky error code from inflate */
    pprof_pipe *pipe; /* inflating in another thread, for big inputs */
    /* With a pipe, win is either the chunk it handed on last (decoded in
     * place: chunk_used == chunk_len), or own, where a field that runs
     * over a chunk's end is put together: own ends with the chunk's first
     * chunk_used bytes then (src_fill_pipe). */
    const uint8_t *chunk;
    size_t chunk_len, chunk_used;
    uint8_t *own;
    size_t own_cap;
    pprof_ahead *ahead; /* samples that thread decoded ahead, or NULL */
    bool whole; /* gzip input inflated whole into win (whole_inflate): raw from then on */
} src;

static int src_fail(src *s, int code, const char *fmt, const char *detail)
{
    s->failed = pprof_error_set(s->err, code, fmt, detail);
    return s->failed;
}

/* After a gzip member ends: another member may follow; anything else is junk. */
static int src_next_member(src *s)
{
    size_t rest = s->z.avail_in;
    const uint8_t *p = s->z.next_in;
    if (rest == 0) {
        s->z_done = true;
        return 0;
    }
    if (rest >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
        if (inflateReset(&s->z) != Z_OK)
            return src_fail(s, PPROF_EGZIP, "decompressing profile: %s", "inflate reset failed");
        return 0;
    }
    return src_fail(s, PPROF_EGZIP, "decompressing profile: %s",
                    "trailing garbage after gzip data (invalid header)");
}

/* src_fill with a pipe: its chunks are decoded where the inflating thread
 * put them, not copied into a window first (64 MiB copied on deep.pb.gz);
 * only the bytes of a field that runs over a chunk's end are copied, into
 * own, and decoding goes back to the chunk once what is left in own is the
 * chunk's. */
static int64_t src_fill_pipe(src *s, size_t need)
{
    size_t have = s->end - s->pos;
    if (s->win == s->own && s->chunk && have <= s->chunk_used) {
        /* own's last `have` bytes are the chunk's, before chunk_used */
        s->base = s->base + s->end - s->chunk_used;
        s->win = (uint8_t *)s->chunk;
        s->pos = s->chunk_used - have;
        s->end = s->chunk_used = s->chunk_len;
        have = s->end - s->pos;
    }
    if (have >= need || s->z_done)
        return (int64_t)have;
    if (need > s->own_cap) {
        size_t cap = s->own_cap;
        while (cap < need)
            cap *= 2;
        uint8_t *w = s->win == s->own ? NULL : malloc(cap); /* (own's bytes are moved below) */
        if (s->win == s->own) {
            memmove(s->own, s->own + s->pos, have);
            s->base += s->pos;
            s->pos = 0;
            s->end = have;
            w = realloc(s->own, cap);
            if (w)
                s->win = w;
        } else if (w) {
            free(s->own);
        }
        if (!w)
            return src_fail(s, PPROF_ENOMEM, "%s", "out of memory");
        s->own = w;
        s->own_cap = cap;
    }
    if (s->win == s->own)
        memmove(s->own, s->own + s->pos, have);
    else
        memcpy(s->own, s->win + s->pos, have);
    s->base += s->pos;
    s->win = s->own;
    s->pos = 0;
    s->end = have;
    while (s->end < need) {
        if (s->chunk_used == s->chunk_len) {
            const uint8_t *chunk;
            size_t clen;
            int rc = pprof_pipe_next(s->pipe, &chunk, &clen, s->err);
            if (rc)
                return s->failed = rc;
            s->chunk = clen ? chunk : NULL;
            s->chunk_len = clen;
            s->chunk_used = 0;
            s->total += clen;
            if (clen == 0) {
                s->z_done = true;
                break;
            }
        }
        size_t take = s->chunk_len - s->chunk_used < need - s->end ? s->chunk_len - s->chunk_used : need - s->end;
        memcpy(s->own + s->end, s->chunk + s->chunk_used, take);
        s->end += take;
        s->chunk_used += take;
    }
    return (int64_t)(s->end - s->pos);
}

/* src_fill when the window lacks bytes, or is own (src_fill_pipe). */
static int64_t src_fill_more(src *s, size_t need)
{
    if (s->failed)
        return s->failed;
    if (s->pipe)
        return src_fill_pipe(s, need);
    size_t have = s->end - s->pos;
    if (have >= need || !s->gz || s->z_done)
        return (int64_t)have;
    if (s->pos > 0) {
        memmove(s->win, s->win + s->pos, have);
        s->base += s->pos;
        s->end = have;
        s->pos = 0;
    }
    if (need > s->cap) {
        size_t cap = s->cap;
        while (cap < need)
            cap *= 2;
        uint8_t *w = realloc(s->win, cap);
        if (!w)
            return src_fail(s, PPROF_ENOMEM, "%s", "out of memory");
        s->win = w;
        s->cap = cap;
    }
    while (s->end - s->pos < need && !s->z_done) {
        s->z.next_out = s->win + s->end;
        s->z.avail_out = (uInt)(s->cap - s->end > (1u << 30) ? (1u << 30) : s->cap - s->end);
        uInt before = s->z.avail_out;
        int rc = inflate(&s->z, Z_NO_FLUSH);
        size_t got = before - s->z.avail_out;
        s->end += got;
        s->total += got;
        if (s->total > s->max) {
            char msg[128];
            snprintf(msg, sizeof msg, "decompressed size exceeds the limit of %llu bytes",
                     (unsigned long long)s->max);
            return src_fail(s, PPROF_ELIMIT, "decompressing profile: %s", msg);
        }
        if (rc == Z_STREAM_END) {
            if (src_next_member(s))
                return s->failed;
        } else if (rc == Z_BUF_ERROR && s->z.avail_in == 0) {
            return src_fail(s, PPROF_EGZIP, "decompressing profile: %s",
                            "unexpected end of gzip data (truncated)");
        } else if (rc == Z_DATA_ERROR) {
            const char *m = s->z.msg ? s->z.msg : "invalid data";
            if (strstr(m, "incorrect data check"))
                m = "gzip checksum mismatch (invalid checksum)";
            else if (strstr(m, "incorrect length check"))
                m = "gzip length mismatch (invalid length)";
            return src_fail(s, PPROF_EGZIP, "decompressing profile: %s", m);
        } else if (rc == Z_MEM_ERROR) {
            return src_fail(s, PPROF_ENOMEM, "%s", "out of memory");
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return src_fail(s, PPROF_EGZIP, "decompressing profile: %s",
                            s->z.msg ? s->z.msg : "inflate failed");
        }
    }
    return (int64_t)(s->end - s->pos);
}

/* Makes at least `need` bytes available at win+pos, unless input ends first.
 * Returns the number of bytes available (possibly less than need) or a
 * negative error code. Inline for the common case, called twice a field:
 * the bytes are there, in a chunk of the pipe or the whole input (the
 * call was some 60 instructions a field, 50 million on big100k.pb.gz). */
static inline int64_t src_fill(src *s, size_t need)
{
    size_t have = s->end - s->pos;
    if (have >= need && !s->failed && s->win != s->own)
        return (int64_t)have;
    return src_fill_more(s, need);
}

/* After a decoding error in gzip input: inflates the rest, discarding it,
 * and returns the gzip error if there is one. A corrupted byte often shows
 * up first as nonsense fields; the checksum at the end names the cause. */
static int src_drain(src *s, pprof_error *gz_err)
{
    if (!s->gz || s->z_done || s->failed)
        return 0;
    if (s->pipe) {
        const uint8_t *chunk;
        size_t clen;
        do {
            int rc = pprof_pipe_next(s->pipe, &chunk, &clen, gz_err);
            if (rc)
                return rc;
        } while (clen > 0);
        return 0;
    }
    uint8_t scratch[1 << 14];
    for (;;) {
        s->z.next_out = scratch;
        s->z.avail_out = sizeof scratch;
        int rc = inflate(&s->z, Z_NO_FLUSH);
        s->total += sizeof scratch - s->z.avail_out;
        if (s->total > s->max)
            return 0;
        if (rc == Z_STREAM_END) {
            if (s->z.avail_in == 0)
                return 0;
            if (s->z.avail_in >= 2 && s->z.next_in[0] == 0x1f && s->z.next_in[1] == 0x8b) {
                inflateReset(&s->z);
                continue;
            }
            return pprof_error_set(gz_err, PPROF_EGZIP, "decompressing profile: trailing garbage after gzip data (invalid header)");
        }
        if (rc == Z_BUF_ERROR && s->z.avail_in == 0)
            return pprof_error_set(gz_err, PPROF_EGZIP, "decompressing profile: unexpected end of gzip data (truncated)");
        if (rc == Z_DATA_ERROR)
            return pprof_error_set(gz_err, PPROF_EGZIP, "decompressing profile: %s",
                                   s->z.msg && strstr(s->z.msg, "incorrect data check")
                                       ? "gzip checksum mismatch (invalid checksum)"
                                       : (s->z.msg ? s->z.msg : "invalid data"));
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return 0;
    }
}

/* gzip input is inflated into a window (DEC_WINDOW, grown as fields need),
 * or from DEC_THREAD_MIN bytes of input on by a read-ahead thread, whose
 * chunks are decoded in place (the fields that run over a chunk's end put
 * together in a buffer of DEC_OWN bytes, grown as they need). Fuzzing
 * builds take them small, so that inputs of a few KiB reach the refills,
 * the growth and the threaded path, at no big allocation per input. */
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define DEC_WINDOW (1u << 20)
#define DEC_OWN (1u << 16)
#define DEC_THREAD_MIN (1u << 20)
#else
#define DEC_WINDOW (1u << 12)
#define DEC_OWN (1u << 5)
#define DEC_THREAD_MIN (1u << 12)
#endif

/* Sets s (its input, gz, max and err set) to inflate in this thread, in a
 * window, or to read raw input in place. 0 or an error code. */
static int src_open_here(src *s, const uint8_t *data, size_t len)
{
    if (!s->gz) {
        s->win = (uint8_t *)data;
        s->cap = s->end = len;
        return 0;
    }
    if (len > UINT32_MAX)
        return pprof_error_set(s->err, PPROF_ELIMIT, "decompressing profile: compressed input over 4 GiB");
    if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
        return pprof_error_set(s->err, PPROF_ENOMEM, "out of memory");
    s->z_live = true;
    s->z.next_in = (Bytef *)data;
    s->z.avail_in = (uInt)len;
    s->cap = DEC_WINDOW;
    s->win = malloc(s->cap);
    if (!s->win) {
        inflateEnd(&s->z);
        return pprof_error_set(s->err, PPROF_ENOMEM, "out of memory");
    }
    return 0;
}

/* ---------------------------------------------------------------- wire primitives */

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

/* Reads a varint from [*p, end); false when it runs off the end or exceeds 10 bytes. */
static inline bool rd_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    return pprof_rd_varint(p, end, out);
}

/* A field read from a message: its number, wire type, and payload. */
typedef struct field {
    uint32_t num;
    int wt;
    uint64_t v;             /* varint / fixed value */
    const uint8_t *data;    /* WT_LEN payload */
    size_t len;
} field;

/* Messages kept as their wire bytes while no reference to them has been
 * seen: each a varint length and the message; a 0 length stands for a
 * message decoded on arrival, so the wire order of all of them is known. */
typedef struct pending {
    uint8_t *b;
    size_t n, cap, count; /* count: messages held */
} pending;

/* Samples merged together (merge_pending). */
#define MERGE_BATCH 16

/* Decoding state. */
typedef struct dec {
    pprof_profile *p;
    pprof_error *err;
    src *s;
    /* wire string table */
    const char **wstr;
    uint32_t *wlen;
    size_t n_wstr;
    pprof_cap cap_wstr, cap_wlen;
    /* locations: provisional index per wire id, in first-reference order */
    pprof_idmap loc_ids;
    uint8_t *loc_defined;
    uint32_t *loc_wire_order; /* provisional index of the k-th defined location (resolve_locations uses it up) */
    size_t n_loc_defined, cap_loc_defined, cap_wire_order;
    uint64_t *loc_map_ids;    /* per provisional location: wire mapping id */
    pprof_cap cap_loc_map_ids;
    uint64_t *line_fn_ids;    /* per line: wire function id */
    pprof_cap cap_line_fn_ids;
    /* per-sample value counting */
    size_t n_values, first_value_count, bad_value_sample, bad_value_count;
    bool value_count_set, value_count_bad;
    uint64_t dup_loc_id; /* first repeated location id, reported at the end */
    /* Locations no sample had used when they arrived are held: a bit per
     * Location field, in wire order, says which (loc_held_bits, n_loc_fields
     * of them, n_loc_held set). The others are dropped, as pprof's merge
     * drops them; in the unusual case where a later sample uses one, or
     * one's line names no function, the input is read again for their
     * bytes (rescan_locations): 121,000 unused locations of the 100,000-
     * sample bench shape were 2.8 MB copied and 700 page faults. */
    uint64_t *loc_held_bits;
    size_t n_loc_fields, n_loc_held, cap_loc_held_words;
    const uint8_t *in; /* the input, for rescan_locations */
    size_t in_len;
    bool promoting; /* decoding a held message that is used */
    /* Functions no decoded location had used when they arrived: the same.
     * (Mappings are all kept: -raw lists them, as current pprof does.)
     * The function ids the decoded locations use: */
    pending fn_pend;
    pprof_idset fn_refs;
    /* Whether a location (function) id became used after one was held:
     * else no held one can be promoted or repeat a decoded one's id. */
    bool loc_ref_after_hold, fn_ref_after_hold;
    /* In raw-id mode, the location ids the kept samples use, from the
     * first location on: the first loc_refs_upto of p->sample_locs are in
     * it (note_raw_refs). The locations they name are then numbered in
     * wire order as they arrive, and the samples' ids mapped at the end. */
    pprof_idset loc_refs;
    size_t loc_refs_upto;
    /* What the held messages need checked at the end, gathered as they
     * arrive (they are decoded then) so that they are not decoded again:
     * the ids of the held functions; the function ids held locations'
     * lines name; whether one has a line of function id 0; the largest
     * string index a held function names. (Sets: bits, that stay in
     * cache, for the function ids come in no order.) */
    pprof_idset fn_held, drop_fn_refs;
    bool drop_zero;
    uint64_t fn_held_max_str;
    pprof_line *tmp_lines;
    size_t cap_tmp_lines;
    /* identical samples (same locations and labels) merged as they arrive */
    uint32_t *smp_slots;
    size_t smp_mask;
    uint64_t *smp_hash; /* per kept sample: its key's hash */
    pprof_cap cap_smp_hash;
    /* The samples decoded after the kept ones (p->samples[p->n_samples..]),
     * not merged yet: merge_pending takes them a batch at a time, so that
     * the cache misses of their lookups overlap. Per pending sample: where
     * its values start, how many, and whether it may merge. */
    size_t n_pend;
    /* The stacks (location lists) of the kept samples: samples that differ
     * only in their labels share one range of p->sample_locs, that of the
     * first kept sample with the stack, stk_sample[e] for stack e. */
    uint32_t *stk_slots;
    size_t stk_mask;
    uint32_t *stk_sample;
    uint64_t *stk_hash;
    size_t n_stk;
    pprof_cap cap_stk_sample, cap_stk_hash;
    uint64_t pend_vals[MERGE_BATCH];
    size_t pend_nvals[MERGE_BATCH];
    bool pend_merge[MERGE_BATCH];
    /* the merge hashes of pending samples decoded ahead (pend_hashed) */
    uint64_t pend_lh[MERGE_BATCH], pend_hv[MERGE_BATCH];
    bool pend_hashed[MERGE_BATCH];
    /* While true, sample_locs holds the wire location ids themselves (all
     * below 2^32): a repeated sample, the common case, is merged without
     * looking any id up, and only the kept ones are mapped to indices at
     * the end (resolve_locations). A larger id ends it (leave_raw_ids). */
    bool raw_ids;
    /* The merge tables hash wire ids still (raw-id mode has ended): they
     * are rebuilt before the next merge, if a sample comes after the
     * first location at all (in pprof's own order none does). */
    bool stale;
    uint64_t budget; /* max_memory */
    /* The inflating thread's pager, which populates the steps of the
     * tables written front to back (dec_set_pager), or NULL. */
    pprof_pager *pager;
} dec;

static int fail(dec *d, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(dec *d, int code, const char *fmt, ...)
{
    if (d->err) {
        va_list ap;
        va_start(ap, fmt);
        char msg[sizeof d->err->msg];
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        pprof_error_set(d->err, code, "%s", msg);
    }
    return code;
}

static const char *wt_name(int wt)
{
    static const char *names[] = {"varint", "fixed64", "length-delimited", "start-group",
                                  "end-group", "fixed32", "6", "7"};
    return names[wt & 7];
}

/* Reads one field header and payload from [*p, end). off is the
 * decompressed offset of *p for messages. */
static int rd_field(dec *d, const uint8_t **p, const uint8_t *end, uint64_t off, const char *msg,
                    field *f)
{
    const uint8_t *start = *p;
    uint64_t tag;
    if (!rd_varint(p, end, &tag))
        return fail(d, PPROF_EWIRE, "parsing profile: bad varint at offset %llu (in %s)",
                    (unsigned long long)off, msg);
    f->num = (uint32_t)(tag >> 3);
    f->wt = (int)(tag & 7);
    if ((tag >> 3) == 0 || (tag >> 3) > 536870911u)
        return fail(d, PPROF_EWIRE, "parsing profile: invalid field number %llu at offset %llu (in %s)",
                    (unsigned long long)(tag >> 3), (unsigned long long)off, msg);
    uint64_t here = off + (uint64_t)(*p - start);
    switch (f->wt) {
    case WT_VARINT:
        if (!rd_varint(p, end, &f->v))
            return fail(d, PPROF_EWIRE, "parsing profile: bad varint at offset %llu (%s field %u)",
                        (unsigned long long)here, msg, f->num);
        return 0;
    case WT_I64:
        if (end - *p < 8)
            return fail(d, PPROF_EWIRE,
                        "parsing profile: not enough data for fixed64 at offset %llu (%s field %u)",
                        (unsigned long long)here, msg, f->num);
        f->v = 0;
        for (int i = 7; i >= 0; i--)
            f->v = (f->v << 8) | (*p)[i];
        *p += 8;
        return 0;
    case WT_I32:
        if (end - *p < 4)
            return fail(d, PPROF_EWIRE,
                        "parsing profile: not enough data for fixed32 at offset %llu (%s field %u)",
                        (unsigned long long)here, msg, f->num);
        f->v = (uint64_t)(*p)[0] | (uint64_t)(*p)[1] << 8 | (uint64_t)(*p)[2] << 16 |
               (uint64_t)(*p)[3] << 24;
        *p += 4;
        return 0;
    case WT_LEN: {
        uint64_t len;
        if (!rd_varint(p, end, &len))
            return fail(d, PPROF_EWIRE, "parsing profile: bad varint length at offset %llu (%s field %u)",
                        (unsigned long long)here, msg, f->num);
        if (len > (uint64_t)(end - *p))
            return fail(d, PPROF_EWIRE,
                        "parsing profile: %s field %u: length %llu exceeds the %zu bytes left at offset %llu",
                        msg, f->num, (unsigned long long)len, (size_t)(end - *p),
                        (unsigned long long)here);
        f->data = *p;
        f->len = (size_t)len;
        *p += len;
        return 0;
    }
    default:
        return fail(d, PPROF_EWIRE, "parsing profile: invalid wire type %d (%s) at offset %llu (%s field %u)",
                    f->wt, wt_name(f->wt), (unsigned long long)off, msg, f->num);
    }
}

static int type_mismatch(dec *d, const char *msg, const field *f, uint64_t off)
{
    return fail(d, PPROF_EWIRE, "parsing profile: type mismatch: %s field %u has wire type %s at offset %llu",
                msg, f->num, wt_name(f->wt), (unsigned long long)off);
}

/* A string index on the wire is an int64; ours are 32-bit. Out-of-range
 * values are caught here, the rest when the table size is known. */
static int str_index(dec *d, const field *f, const char *what, uint64_t off, pprof_str *out)
{
    if (f->wt != WT_VARINT)
        return type_mismatch(d, what, f, off);
    int64_t v = (int64_t)f->v;
    if (v < 0 || v >= (int64_t)UINT32_MAX)
        return fail(d, PPROF_EWIRE, "parsing profile: %s: string index %lld out of range (offset %llu)",
                    what, (long long)v, (unsigned long long)off);
    *out = (pprof_str)v;
    return 0;
}

static int int_field(dec *d, const field *f, const char *what, uint64_t off, uint64_t *out)
{
    if (f->wt != WT_VARINT)
        return type_mismatch(d, what, f, off);
    *out = f->v;
    return 0;
}

/* Calls fn for each varint of a repeated scalar field, packed or not. */
#define FOR_EACH_VARINT(d, f, off, what, VAR, body)                                              \
    do {                                                                                       \
        if ((f)->wt == WT_VARINT) {                                                            \
            uint64_t VAR = (f)->v;                                                               \
            body;                                                                              \
        } else if ((f)->wt == WT_LEN) {                                                        \
            const uint8_t *q_ = (f)->data, *e_ = (f)->data + (f)->len;                         \
            while (q_ < e_) {                                                                  \
                uint64_t VAR;                                                                  \
                if (!rd_varint(&q_, e_, &VAR))                                                   \
                    return fail(d, PPROF_EWIRE,                                              \
                                "parsing profile: bad varint in packed %s at offset %llu", what, \
                                (unsigned long long)((off) + (uint64_t)(q_ - (f)->data)));    \
                body;                                                                          \
            }                                                                                  \
        } else {                                                                               \
            return type_mismatch(d, what, f, off);                                             \
        }                                                                                      \
    } while (0)

/* ---------------------------------------------------------------- messages */

static int dec_value_type(dec *d, const field *outer, uint64_t off, const char *what,
                          pprof_value_type *vt)
{
    if (outer->wt != WT_LEN)
        return type_mismatch(d, what, outer, off);
    const uint8_t *q = outer->data, *e = q + outer->len;
    memset(vt, 0, sizeof *vt);
    while (q < e) {
        field f;
        uint64_t foff = off + (uint64_t)(q - outer->data);
        if (rd_field(d, &q, e, foff, what, &f))
            return d->err ? d->err->code : PPROF_EWIRE;
        int rc = 0;
        if (f.num == 1)
            rc = str_index(d, &f, what, foff, &vt->type);
        else if (f.num == 2)
            rc = str_index(d, &f, what, foff, &vt->unit);
        if (rc)
            return rc;
    }
    return 0;
}

/* A new location of wire id id, not defined yet, at the table's end. */
static int loc_new(dec *d, uint64_t id, uint32_t *out)
{
    pprof_profile *p = d->p;
    uint32_t idx;
    if (p->n_locations >= UINT32_MAX - 2)
        return fail(d, PPROF_ELIMIT, "parsing profile: too many locations");
    idx = (uint32_t)p->n_locations;
    if (PPROF_GROW_AHEAD(p->locations, p->internal->cap_locations, idx + 1) ||
        PPROF_GROW(d->loc_defined, d->cap_loc_defined, idx + 1) ||
        PPROF_GROW_AHEAD(d->loc_map_ids, d->cap_loc_map_ids, idx + 1) || pprof_idmap_put(&d->loc_ids, id, idx))
        return fail(d, PPROF_ENOMEM, "out of memory");
    d->loc_defined[idx] = 0;
    d->loc_map_ids[idx] = 0;
    memset(&p->locations[idx], 0, sizeof p->locations[idx]);
    p->locations[idx].id = id;
    p->n_locations++;
    *out = idx;
    return 0;
}

/* The index of location id id, referenced by a sample: a new one when id
 * is new. */
static int loc_ref(dec *d, uint64_t id, uint32_t *out)
{
    uint32_t idx = pprof_idmap_get(&d->loc_ids, id);
    if (idx != PPROF_NONE) {
        *out = idx;
        return 0;
    }
    d->loc_ref_after_hold |= d->n_loc_held > 0;
    return loc_new(d, id, out);
}

/* Raw-id mode: adds the ids of the samples kept since the last call to
 * loc_refs (all are merged: dec_top merges before any other field, and a
 * merge moves only samples after loc_refs_upto). */
static int note_raw_refs_from(dec *d)
{
    pprof_profile *p = d->p;
    const uint32_t *ids = p->sample_locs;
    size_t from = d->loc_refs_upto, to = p->n_sample_locs;
    if (from < to && d->n_loc_held == 0) {
        /* The common case (no location held, whose use would count):
         * the set's bits sized once for the largest id, then set without
         * a test or a call each (big100k.pb.gz: 1.07 million references
         * at the first Location, 23.3 -> 16.0 million instructions). */
        uint32_t max = 0;
        for (size_t i = from; i < to; i++)
            max = ids[i] > max ? ids[i] : max;
        if (max < PPROF_IDSET_BITS_MAX) {
            if (pprof_idset_add(&d->loc_refs, max)) /* (the bits up to max, zeroed) */
                return fail(d, PPROF_ENOMEM, "out of memory");
            uint64_t *bits = d->loc_refs.bits;
            for (size_t i = from; i < to; i++)
                bits[ids[i] >> 6] |= (uint64_t)1 << (ids[i] & 63);
            d->loc_refs_upto = to;
            return 0;
        }
    }
    for (size_t i = d->loc_refs_upto; i < p->n_sample_locs; i++) {
        uint32_t id = p->sample_locs[i];
        if (pprof_idset_has(&d->loc_refs, id))
            continue;
        if (pprof_idset_add(&d->loc_refs, id))
            return fail(d, PPROF_ENOMEM, "out of memory");
        d->loc_ref_after_hold |= d->n_loc_held > 0;
    }
    d->loc_refs_upto = p->n_sample_locs;
    return 0;
}

/* (called for each Location not numbered yet: mostly with nothing to add) */
static inline int note_raw_refs(dec *d)
{
    return d->loc_refs_upto == d->p->n_sample_locs ? 0 : note_raw_refs_from(d);
}

static int dec_label(dec *d, const field *outer, uint64_t off, pprof_label *l, bool *keep)
{
    const uint8_t *q = outer->data, *e = q + outer->len;
    memset(l, 0, sizeof *l);
    while (q < e) {
        field f;
        uint64_t foff = off + (uint64_t)(q - outer->data);
        if (rd_field(d, &q, e, foff, "label", &f))
            return d->err->code;
        int rc = 0;
        uint64_t v = 0;
        switch (f.num) {
        case 1: rc = str_index(d, &f, "label key", foff, &l->key); break;
        case 2: rc = str_index(d, &f, "label str", foff, &l->str); break;
        case 3:
            rc = int_field(d, &f, "label num", foff, &v);
            l->num = (int64_t)v;
            break;
        case 4: rc = str_index(d, &f, "label num_unit", foff, &l->num_unit); break;
        default: break;
        }
        if (rc)
            return rc;
    }
    /* pprof drops a label with neither a string nor a number nor a unit. */
    *keep = l->str != 0 || l->num != 0 || l->num_unit != 0;
    return 0;
}

/* The hash of a sample's location list. */
static uint64_t stack_hash(const pprof_profile *p, const pprof_sample *s)
{
    return pprof_ahead_stack_hash(s->n_locs ? p->sample_locs + s->locs_off : NULL, s->n_locs);
}

/* The key of a sample for merging: its location list (h, its stack_hash)
 * and its labels. Its hash only places samples in the merge table, whose
 * order reaches no output. */
static uint64_t sample_key_hash_from(const pprof_profile *p, const pprof_sample *s, uint64_t h)
{
    return pprof_ahead_key_hash(pprof_sample_labels(p, s), s->n_labels, h);
}

static uint64_t sample_key_hash(const pprof_profile *p, const pprof_sample *s)
{
    return sample_key_hash_from(p, s, stack_hash(p, s));
}

static uint64_t sample_slot_hash(const void *ctx, size_t i)
{
    return ((const dec *)ctx)->smp_hash[i];
}

static uint64_t stack_slot_hash(const void *ctx, size_t i)
{
    return ((const dec *)ctx)->stk_hash[i];
}

/* Ends raw-id mode: the first `upto` location references become location
 * indices; the merge tables are rebuilt on the new keys only if a sample
 * comes later (rehash_merge_tables): on deep.pb.gz, whose samples all
 * come before its locations, that was 7 million ids hashed for nothing. */
static int leave_raw_ids(dec *d, size_t upto)
{
    pprof_profile *p = d->p;
    d->raw_ids = false;
    for (size_t j = 0; j < d->n_pend; j++)
        d->pend_hashed[j] = false; /* (hashes of wire ids) */
    for (size_t i = 0; i < upto; i++) {
        uint32_t id = p->sample_locs[i], idx;
        if (id < d->loc_ids.dense_cap && d->loc_ids.dense[id]) { /* (seen before: the common case) */
            p->sample_locs[i] = d->loc_ids.dense[id] - 1;
            continue;
        }
        int rc = loc_ref(d, id, &idx);
        if (rc)
            return rc;
        p->sample_locs[i] = idx;
    }
    d->stale = true;
    return 0;
}

/* Rebuilds the merge tables on location indices, after leave_raw_ids. */
static int rehash_merge_tables(dec *d)
{
    pprof_profile *p = d->p;
    d->stale = false;
    if (d->stk_slots) {
        for (size_t e = 0; e < d->n_stk; e++)
            d->stk_hash[e] = stack_hash(p, &p->samples[d->stk_sample[e]]);
        int rc = pprof_slots_rebuild(&d->stk_slots, &d->stk_mask, d->stk_mask + 1, d->n_stk, stack_slot_hash, d);
        if (rc)
            return fail(d, rc, rc == PPROF_ENOMEM ? "out of memory" : "parsing profile: too many samples");
    }
    if (!d->smp_slots || d->value_count_bad) /* (no more merging then) */
        return 0;
    for (size_t i = 0; i < p->n_samples; i++)
        d->smp_hash[i] = sample_key_hash(p, &p->samples[i]);
    int rc = pprof_slots_rebuild(&d->smp_slots, &d->smp_mask, d->smp_mask + 1, p->n_samples, sample_slot_hash, d);
    return rc ? fail(d, rc, rc == PPROF_ENOMEM ? "out of memory" : "parsing profile: too many samples") : 0;
}

/* Merges each pending sample into an identical earlier one, as pprof's
 * reports and Go's merge would: its values are added (saturating) and its
 * locations, labels and values are dropped again; the others are kept, in
 * order, moved down over the dropped ones. So a stream of repeated samples
 * costs one sample, not one per copy. The lookups are done in steps over
 * the whole batch (hash and prefetch the slots, then the samples they
 * hold, then those samples' locations and values), so that their cache
 * misses overlap instead of following one another. */
static int merge_pending(dec *d)
{
    pprof_profile *p = d->p;
    size_t np = d->n_pend, base = p->n_samples;
    if (np == 0)
        return 0;
    bool any = false;
    for (size_t j = 0; j < np; j++)
        any |= d->pend_merge[j];
    uint64_t hv[MERGE_BATCH], lh[MERGE_BATCH];
    if (any && d->stale) {
        int rc = rehash_merge_tables(d);
        if (rc)
            return rc;
    }
    if (any) {
        if (PPROF_GROW_AHEAD(d->smp_hash, d->cap_smp_hash, base + np) ||
            PPROF_GROW_AHEAD(d->stk_sample, d->cap_stk_sample, d->n_stk + np) ||
            PPROF_GROW_AHEAD(d->stk_hash, d->cap_stk_hash, d->n_stk + np))
            return fail(d, PPROF_ENOMEM, "out of memory");
        if (!d->stk_slots || (d->n_stk + np) * 2 > d->stk_mask + 1) {
            size_t slots = d->stk_slots ? d->stk_mask + 1 : 1024;
            while ((d->n_stk + np) * 2 > slots)
                slots *= 2;
            int rc = pprof_slots_rebuild(&d->stk_slots, &d->stk_mask, slots, d->n_stk, stack_slot_hash, d);
            if (rc)
                return fail(d, rc, rc == PPROF_ENOMEM ? "out of memory" : "parsing profile: too many samples");
        }
        if (!d->smp_slots || (base + np) * 2 > d->smp_mask + 1) {
            size_t slots = d->smp_slots ? d->smp_mask + 1 : 1024;
            while ((base + np) * 2 > slots)
                slots *= 2;
            int rc = pprof_slots_rebuild(&d->smp_slots, &d->smp_mask, slots, base, sample_slot_hash, d);
            if (rc)
                return fail(d, rc, rc == PPROF_ENOMEM ? "out of memory" : "parsing profile: too many samples");
        }
        const uint32_t *slots = d->smp_slots;
        size_t mask = d->smp_mask;
        for (size_t j = 0; j < np; j++) {
            const pprof_sample *sm = &p->samples[base + j];
            if (d->pend_hashed[j]) {
                lh[j] = d->pend_lh[j];
                hv[j] = d->pend_hv[j];
            } else {
                lh[j] = d->pend_merge[j] ? stack_hash(p, sm) : 0;
                hv[j] = d->pend_merge[j] ? sample_key_hash_from(p, sm, lh[j]) : 0;
            }
            __builtin_prefetch(&slots[hv[j] & mask]);
            __builtin_prefetch(&d->stk_slots[lh[j] & d->stk_mask]);
        }
        for (size_t j = 0; j < np; j++) {
            uint32_t at = slots[hv[j] & mask];
            if (at && d->pend_merge[j])
                __builtin_prefetch(&p->samples[at - 1]);
        }
        for (size_t j = 0; j < np; j++) {
            uint32_t at = slots[hv[j] & mask];
            if (!at || !d->pend_merge[j])
                continue;
            const pprof_sample *o = &p->samples[at - 1];
            if (p->sample_locs) { /* NULL while no sample has a location: no arithmetic on NULL */
                const uint32_t *locs = p->sample_locs + o->locs_off;
                __builtin_prefetch(locs);
                __builtin_prefetch(locs + 16);
                __builtin_prefetch(locs + 32);
            }
            if (d->pend_nvals[j])
                __builtin_prefetch(p->values + (size_t)(at - 1) * d->pend_nvals[j], 1);
        }
    }
    size_t w = base;
    uint64_t wl = p->samples[base].locs_off, wlab = p->samples[base].labels_off, wv = d->pend_vals[0];
    for (size_t j = 0; j < np; j++) {
        pprof_sample s = p->samples[base + j];
        size_t nv = d->pend_nvals[j];
        uint64_t vo = d->pend_vals[j];
        if (d->pend_merge[j]) {
            size_t mask = d->smp_mask, h = (size_t)hv[j] & mask;
            bool merged = false;
            while (d->smp_slots[h]) {
                uint32_t i = d->smp_slots[h] - 1;
                if (pprof_sample_same(p, &p->samples[i], &s)) { /* (not hash first: one more cache miss) */
                    if (nv) { /* values is NULL while no sample has any: no arithmetic on NULL */
                        int64_t *dst = p->values + (size_t)i * nv, *add = p->values + vo;
                        for (size_t k = 0; k < nv; k++)
                            pprof_sat_add(&dst[k], add[k]);
                    }
                    merged = true;
                    break;
                }
                h = (h + 1) & mask;
            }
            if (merged)
                continue;
            d->smp_slots[h] = (uint32_t)w + 1;
            d->smp_hash[w] = hv[j];
        } else if (d->bad_value_sample == SIZE_MAX) {
            d->bad_value_sample = w; /* the first sample with another value count */
        }
        /* Kept: its stack is another kept sample's (it differs in labels),
         * or a new one. */
        bool shared = false;
        if (d->pend_merge[j] && s.n_locs) {
            size_t mask = d->stk_mask, h = (size_t)lh[j] & mask;
            while (d->stk_slots[h]) {
                /* (the hash first: a slot another stack holds costs its
                 * hash, not its sample and its locations) */
                uint32_t e = d->stk_slots[h] - 1;
                const pprof_sample *o = &p->samples[d->stk_sample[e]];
                if (d->stk_hash[e] == lh[j] && o->n_locs == s.n_locs && memcmp(p->sample_locs + o->locs_off, p->sample_locs + s.locs_off,
                                                    s.n_locs * sizeof *p->sample_locs) == 0) {
                    s.locs_off = o->locs_off;
                    shared = true;
                    break;
                }
                h = (h + 1) & mask;
            }
            if (!shared) {
                d->stk_slots[h] = (uint32_t)d->n_stk + 1;
                d->stk_sample[d->n_stk] = (uint32_t)w;
                d->stk_hash[d->n_stk++] = lh[j];
            }
        }
        if (!shared && s.n_locs && s.locs_off != wl)
            memmove(p->sample_locs + wl, p->sample_locs + s.locs_off, s.n_locs * sizeof *p->sample_locs);
        if (s.n_labels && s.labels_off != wlab)
            memmove(p->labels + wlab, p->labels + s.labels_off, s.n_labels * sizeof *p->labels);
        if (nv && vo != wv)
            memmove(p->values + wv, p->values + vo, nv * sizeof *p->values);
        if (!shared) {
            s.locs_off = wl;
            wl += s.n_locs;
        }
        s.labels_off = wlab;
        wlab += s.n_labels;
        wv += nv;
        p->samples[w++] = s;
    }
    p->n_samples = w;
    p->n_sample_locs = wl;
    p->n_labels = wlab;
    d->n_values = wv;
    d->n_pend = 0;
    return 0;
}

/* The sample just decoded (nvals values) joins the pending ones; hashed:
 * its merge hashes are lh and hv. */
static int pend_sample(dec *d, size_t nvals, bool hashed, uint64_t lh, uint64_t hv)
{
    if (!d->value_count_set) {
        d->value_count_set = true;
        d->first_value_count = nvals;
    } else if (nvals != d->first_value_count && !d->value_count_bad) {
        /* It and the later samples are kept as they come (the profile
         * is rejected); merge_pending numbers it. */
        d->value_count_bad = true;
        d->bad_value_sample = SIZE_MAX;
        d->bad_value_count = nvals;
    }
    size_t j = d->n_pend++;
    d->pend_vals[j] = d->n_values - nvals;
    d->pend_nvals[j] = (uint32_t)nvals;
    d->pend_merge[j] = !d->value_count_bad;
    d->pend_hashed[j] = hashed;
    d->pend_lh[j] = lh;
    d->pend_hv[j] = hv;
    return d->value_count_bad ? merge_pending(d) : 0;
}

/* The slot of the next pending sample, its offsets set, in *out: 0, or
 * an error code (a full batch is merged first). */
static int next_sample(pprof_sample **out, dec *d)
{
    pprof_profile *p = d->p;
    if (d->n_pend == MERGE_BATCH || p->n_samples + d->n_pend >= UINT32_MAX - 1) {
        int rc = merge_pending(d);
        if (rc)
            return rc;
    }
    if (p->n_samples >= UINT32_MAX - 1)
        return fail(d, PPROF_ELIMIT, "parsing profile: too many samples");
    struct pprof_profile_internal *in = p->internal;
    if (PPROF_GROW_AHEAD(p->samples, in->cap_samples, p->n_samples + d->n_pend + 1))
        return fail(d, PPROF_ENOMEM, "out of memory");
    pprof_sample *sm = &p->samples[p->n_samples + d->n_pend];
    sm->locs_off = p->n_sample_locs;
    sm->labels_off = p->n_labels;
    *out = sm;
    return 0;
}

static int dec_sample(dec *d, const field *outer, uint64_t off)
{
    pprof_profile *p = d->p;
    struct pprof_profile_internal *in = p->internal;
    if (outer->wt != WT_LEN)
        return type_mismatch(d, "sample", outer, off);
    pprof_sample *sm;
    int slot_rc = next_sample(&sm, d);
    if (slot_rc)
        return slot_rc;
    sm->n_locs = 0;
    sm->n_labels = 0;
    size_t nvals = 0;
    const uint8_t *q = outer->data, *e = q + outer->len;
    while (q < e) {
        field f;
        uint64_t foff = off + (uint64_t)(q - outer->data);
        if (rd_field(d, &q, e, foff, "sample", &f))
            return d->err->code;
        switch (f.num) {
        case 1: {
            /* Each varint is at least one byte, so len bounds the count. */
            size_t bound = f.wt == WT_LEN ? f.len : 1;
            if (bound == 0)
                break; /* an empty packed list: nothing (and sample_locs may still be NULL) */
            if (PPROF_GROW(p->sample_locs, in->cap_sample_locs, p->n_sample_locs + bound))
                return fail(d, PPROF_ENOMEM, "out of memory");
            uint32_t *dst = p->sample_locs + p->n_sample_locs;
            size_t n = 0;
            uint64_t rest_off = foff;
            if (f.wt == WT_LEN && d->raw_ids) {
                const uint8_t *q2 = f.data;
                n = pprof_raw_ids_packed(&q2, f.data + f.len, dst);
                rest_off += (uint64_t)(q2 - f.data);
                f.len -= (size_t)(q2 - f.data);
                f.data = q2;
            }
            FOR_EACH_VARINT(d, &f, rest_off, "sample location_id", id, {
                uint32_t idx;
                if (d->raw_ids && id - 1 < (uint64_t)UINT32_MAX - 1) {
                    idx = (uint32_t)id; /* 1 .. 2^32 - 2, mapped at the end */
                } else if (!d->raw_ids && id < d->loc_ids.dense_cap && d->loc_ids.dense[id]) {
                    idx = d->loc_ids.dense[id] - 1;
                } else {
                    if (id == 0) /* (its number counts the samples kept before it) */
                        return merge_pending(d) ? d->err->code
                                                : fail(d, PPROF_ESEMANTIC,
                                                       "malformed profile: sample %zu references location id 0",
                                                       p->n_samples);
                    int rc = d->raw_ids ? leave_raw_ids(d, p->n_sample_locs + n) : 0;
                    if (!rc)
                        rc = loc_ref(d, id, &idx);
                    if (rc)
                        return rc;
                }
                dst[n++] = idx;
            });
            p->n_sample_locs += n;
            if (sm->n_locs + n > UINT32_MAX)
                return merge_pending(d) ? d->err->code
                                        : fail(d, PPROF_ELIMIT, "parsing profile: sample %zu has too many locations",
                                               p->n_samples);
            sm->n_locs += (uint32_t)n;
            break;
        }
        case 2: {
            size_t bound = f.wt == WT_LEN ? f.len : 1;
            if (PPROF_GROW_AHEAD(p->values, in->cap_values, d->n_values + bound))
                return fail(d, PPROF_ENOMEM, "out of memory");
            FOR_EACH_VARINT(d, &f, foff, "sample value", v, {
                p->values[d->n_values++] = (int64_t)v;
                nvals++;
            });
            break;
        }
        case 3: {
            if (f.wt != WT_LEN)
                return type_mismatch(d, "sample label", &f, foff);
            pprof_label l;
            bool keep = false;
            int rc = dec_label(d, &f, foff, &l, &keep);
            if (rc)
                return rc;
            if (keep) {
                if (PPROF_GROW_AHEAD(p->labels, in->cap_labels, p->n_labels + 1))
                    return fail(d, PPROF_ENOMEM, "out of memory");
                p->labels[p->n_labels++] = l;
                sm->n_labels++;
            }
            break;
        }
        default: break;
        }
    }
    return pend_sample(d, nvals, false, 0, 0);
}

/* A sample decoded ahead (lib/decode_ahead.c) joins the pending ones: what
 * dec_sample does with the same bytes, but the varints are read and the
 * merge hashes computed already. */
static int dec_sample_ahead(dec *d, const pprof_ahead_rec *r)
{
    pprof_profile *p = d->p;
    struct pprof_profile_internal *in = p->internal;
    pprof_sample *sm;
    int slot_rc = next_sample(&sm, d);
    if (slot_rc)
        return slot_rc;
    sm->n_locs = r->n_locs;
    sm->n_labels = r->n_labels;
    if (r->n_locs) {
        if (PPROF_GROW(p->sample_locs, in->cap_sample_locs, p->n_sample_locs + r->n_locs))
            return fail(d, PPROF_ENOMEM, "out of memory");
        uint32_t *dst = p->sample_locs + p->n_sample_locs;
        const uint32_t *ids = pprof_ahead_locs(r);
        if (d->raw_ids) {
            memcpy(dst, ids, r->n_locs * sizeof *dst);
        } else {
            for (uint32_t k = 0; k < r->n_locs; k++) {
                uint32_t id = ids[k];
                if (id < d->loc_ids.dense_cap && d->loc_ids.dense[id]) {
                    dst[k] = d->loc_ids.dense[id] - 1;
                } else {
                    int rc = loc_ref(d, id, &dst[k]);
                    if (rc)
                        return rc;
                }
            }
        }
        p->n_sample_locs += r->n_locs;
    }
    if (r->n_values) {
        if (PPROF_GROW_AHEAD(p->values, in->cap_values, d->n_values + r->n_values))
            return fail(d, PPROF_ENOMEM, "out of memory");
        memcpy(p->values + d->n_values, pprof_ahead_values(r), r->n_values * sizeof *p->values);
        d->n_values += r->n_values;
    }
    if (r->n_labels) {
        if (PPROF_GROW_AHEAD(p->labels, in->cap_labels, p->n_labels + r->n_labels))
            return fail(d, PPROF_ENOMEM, "out of memory");
        memcpy(p->labels + p->n_labels, pprof_ahead_labels(r), r->n_labels * sizeof *p->labels);
        p->n_labels += r->n_labels;
    }
    return pend_sample(d, r->n_values, d->raw_ids, r->stack_hash, r->key_hash);
}

/* Holds the message f (a length-delimited field) in pe. 0 or PPROF_ENOMEM. */
static int pend_put(pending *pe, const field *f)
{
    if (PPROF_GROW(pe->b, pe->cap, pe->n + 10 + f->len))
        return PPROF_ENOMEM;
    uint8_t *w = pe->b + pe->n;
    uint64_t len = f->len;
    while (len >= 0x80) {
        *w++ = (uint8_t)(len | 0x80);
        len >>= 7;
    }
    *w++ = (uint8_t)len;
    memcpy(w, f->data, f->len);
    pe->n = (size_t)(w + f->len - pe->b);
    pe->count++;
    return 0;
}

/* Marks the place of a message decoded on arrival. 0 or PPROF_ENOMEM. */
static int pend_mark(pending *pe)
{
    if (PPROF_GROW(pe->b, pe->cap, pe->n + 1))
        return PPROF_ENOMEM;
    pe->b[pe->n++] = 0;
    return 0;
}

/* Next entry of pe at *q (start at pe->b): false at the end; *len 0 for a
 * message decoded on arrival, else the message is at *msg. */
static bool next_pending(const pending *pe, const uint8_t **q, const uint8_t **msg, uint64_t *len)
{
    if (!pe->b)
        return false; /* nothing held: no pointer arithmetic on NULL */
    const uint8_t *e = pe->b + pe->n;
    if (*q >= e || !rd_varint(q, e, len))
        return false;
    *msg = *q;
    *q += *len;
    return true;
}

/* The id of a held message (the last field 1, as decoding takes it). */
static uint64_t wire_id(const uint8_t *q, uint64_t len)
{
    const uint8_t *e = q + len;
    uint64_t id = 0, tag, v;
    while (q < e && rd_varint(&q, e, &tag)) {
        switch (tag & 7) {
        case WT_VARINT:
            if (!rd_varint(&q, e, &v))
                return id;
            if (tag >> 3 == 1)
                id = v;
            break;
        case WT_I64:
            if (e - q < 8)
                return id;
            q += 8;
            break;
        case WT_I32:
            if (e - q < 4)
                return id;
            q += 4;
            break;
        case WT_LEN:
            if (!rd_varint(&q, e, &v) || v > (uint64_t)(e - q))
                return id;
            q += v;
            break;
        default: return id;
        }
    }
    return id;
}

/* Messages made only of scalar fields (Mapping, Function, Line) are
 * decoded from a table: field number, how to store it, name for errors. */
typedef enum { SC_U64, SC_I64, SC_STR, SC_BOOL } scalar_kind;
typedef struct scalar_field {
    scalar_kind kind;
    const char *name; /* "mapping id": the message and the field */
    size_t off;       /* in the destination struct */
} scalar_field;

/* A Line and its function id (resolved to an index after the whole input). */
typedef struct wire_line {
    pprof_line ln;
    uint64_t fn_id;
} wire_line;

#define SCALAR(kind, name, type, member) {kind, name, offsetof(type, member)}
static const scalar_field mapping_fields[] = {
    [1] = SCALAR(SC_U64, "mapping id", pprof_mapping, id),
    [2] = SCALAR(SC_U64, "mapping memory_start", pprof_mapping, start),
    [3] = SCALAR(SC_U64, "mapping memory_limit", pprof_mapping, limit),
    [4] = SCALAR(SC_U64, "mapping file_offset", pprof_mapping, offset),
    [5] = SCALAR(SC_STR, "mapping filename", pprof_mapping, file),
    [6] = SCALAR(SC_STR, "mapping build_id", pprof_mapping, build_id),
    [7] = SCALAR(SC_BOOL, "mapping has_functions", pprof_mapping, has_functions),
    [8] = SCALAR(SC_BOOL, "mapping has_filenames", pprof_mapping, has_filenames),
    [9] = SCALAR(SC_BOOL, "mapping has_line_numbers", pprof_mapping, has_line_numbers),
    [10] = SCALAR(SC_BOOL, "mapping has_inline_frames", pprof_mapping, has_inline_frames),
};
static const scalar_field function_fields[] = {
    [1] = SCALAR(SC_U64, "function id", pprof_function, id),
    [2] = SCALAR(SC_STR, "function name", pprof_function, name),
    [3] = SCALAR(SC_STR, "function system_name", pprof_function, system_name),
    [4] = SCALAR(SC_STR, "function filename", pprof_function, filename),
    [5] = SCALAR(SC_I64, "function start_line", pprof_function, start_line),
};
static const scalar_field line_fields[] = {
    [1] = SCALAR(SC_U64, "line function_id", wire_line, fn_id),
    [2] = SCALAR(SC_I64, "line line", wire_line, ln.line),
    [3] = SCALAR(SC_I64, "line column", wire_line, ln.column),
};

/* Decodes the message outer into the zeroed struct dst by the table spec
 * (n entries, indexed by field number; unknown fields are skipped). */
static int dec_scalars(dec *d, const field *outer, uint64_t off, const char *msg, const scalar_field *spec,
                       size_t n, void *dst)
{
    if (outer->wt != WT_LEN)
        return type_mismatch(d, msg, outer, off);
    const uint8_t *q = outer->data, *e = q + outer->len;
    while (q < e) {
        field f;
        uint64_t foff = off + (uint64_t)(q - outer->data);
        if (rd_field(d, &q, e, foff, msg, &f))
            return d->err->code;
        if (f.num >= n || !spec[f.num].name)
            continue;
        const scalar_field *s = &spec[f.num];
        void *at = (char *)dst + s->off;
        int rc = 0;
        uint64_t v = 0;
        switch (s->kind) {
        case SC_U64: rc = int_field(d, &f, s->name, foff, at); break;
        case SC_I64: rc = int_field(d, &f, s->name, foff, &v); *(int64_t *)at = (int64_t)v; break;
        case SC_STR: rc = str_index(d, &f, s->name, foff, at); break;
        case SC_BOOL: rc = int_field(d, &f, s->name, foff, &v); *(bool *)at = v != 0; break;
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* A function no decoded location uses yet is held as its bytes (its id 0
 * is refused now, as index_ids would); else a marker keeps its place.
 * 1: held, 0: decode it, or an error code. */
static int hold_unused(dec *d, pending *pe, const pprof_idset *refs, uint64_t id, const field *outer,
                       const char *what)
{
    if (id == 0)
        return fail(d, PPROF_ESEMANTIC, "malformed profile: found %s with reserved ID=0", what);
    bool held = !pprof_idset_has(refs, id);
    if (held ? pend_put(pe, outer) : pend_mark(pe))
        return fail(d, PPROF_ENOMEM, "out of memory");
    return held;
}

static int dec_mapping(dec *d, const field *outer, uint64_t off)
{
    pprof_mapping m;
    memset(&m, 0, sizeof m);
    int rc = dec_scalars(d, outer, off, "mapping", mapping_fields, sizeof mapping_fields / sizeof mapping_fields[0],
                         &m);
    if (!rc && pprof_profile_add_mapping(NULL, d->p, &m))
        return fail(d, PPROF_ENOMEM, "out of memory");
    return rc;
}

/* Decodes the common shape of a Function message [q, q + len) (each tag one
 * byte, every field a varint, string indices in range) into *fn; false on
 * anything else, for dec_scalars to decode or report. */
static bool fast_function(const uint8_t *q, size_t len, pprof_function *fn)
{
    const uint8_t *e = q + len;
    while (q < e) {
        uint8_t tag = *q++;
        uint64_t v;
        if (!pprof_rd_varint(&q, e, &v))
            return false;
        if (tag >= (2 << 3) && tag <= (4 << 3 | 7) && v >= UINT32_MAX)
            return false; /* (a string index out of range, or negative) */
        switch (tag) {
        case 1 << 3 | WT_VARINT: fn->id = v; break;
        case 2 << 3 | WT_VARINT: fn->name = (pprof_str)v; break;
        case 3 << 3 | WT_VARINT: fn->system_name = (pprof_str)v; break;
        case 4 << 3 | WT_VARINT: fn->filename = (pprof_str)v; break;
        case 5 << 3 | WT_VARINT: fn->start_line = (int64_t)v; break;
        default: return false;
        }
    }
    return true;
}

static int dec_function(dec *d, const field *outer, uint64_t off)
{
    pprof_function fn;
    memset(&fn, 0, sizeof fn);
    int rc = 0;
    if (outer->wt != WT_LEN || !fast_function(outer->data, outer->len, &fn)) {
        memset(&fn, 0, sizeof fn);
        rc = dec_scalars(d, outer, off, "function", function_fields, sizeof function_fields / sizeof function_fields[0],
                         &fn);
    }
    if (!rc && !d->promoting) {
        rc = hold_unused(d, &d->fn_pend, &d->fn_refs, fn.id, outer, "function");
        if (rc == 1) {
            uint64_t m = fn.name > fn.system_name ? fn.name : fn.system_name;
            m = m > fn.filename ? m : fn.filename;
            if (m > d->fn_held_max_str)
                d->fn_held_max_str = m;
            if (pprof_idset_add(&d->fn_held, fn.id))
                return fail(d, PPROF_ENOMEM, "out of memory");
        }
        if (rc)
            return rc < 0 ? rc : 0;
    }
    if (!rc && pprof_profile_add_function(NULL, d->p, &fn))
        return fail(d, PPROF_ENOMEM, "out of memory");
    return rc;
}

/* After the whole input: the held functions that decoded locations use
 * are decoded, and the table (*table, *n entries of elem bytes, capacity
 * *cap) is rebuilt in wire order. */
static int promote_table(dec *d, const pending *pe, const pprof_idset *refs, void **table, size_t *n, size_t *cap,
                         size_t elem, int (*decode)(dec *, const field *, uint64_t))
{
    if (!pe->count)
        return 0;
    size_t keep = 0;
    const uint8_t *q = pe->b, *msg;
    uint64_t len;
    while (next_pending(pe, &q, &msg, &len))
        keep += len == 0 || pprof_idset_has(refs, wire_id(msg, len));
    if (keep == *n)
        return 0;
    /* Decoded at the end of the table, then all moved into wire order. */
    size_t first_new = *n;
    q = pe->b;
    d->promoting = true;
    int rc = 0;
    while (!rc && next_pending(pe, &q, &msg, &len)) {
        if (len != 0 && pprof_idset_has(refs, wire_id(msg, len))) {
            field f = {.num = 0, .wt = WT_LEN, .data = msg, .len = (size_t)len};
            rc = decode(d, &f, 0);
        }
    }
    d->promoting = false;
    char *out = rc ? NULL : malloc(keep * elem);
    if (!rc && !out)
        rc = fail(d, PPROF_ENOMEM, "out of memory");
    if (rc)
        return rc;
    size_t k = 0, old = 0, added = first_new;
    q = pe->b;
    while (next_pending(pe, &q, &msg, &len)) {
        if (len == 0)
            memcpy(out + k++ * elem, (char *)*table + old++ * elem, elem);
        else if (pprof_idset_has(refs, wire_id(msg, len)))
            memcpy(out + k++ * elem, (char *)*table + added++ * elem, elem);
    }
    if (d->pager)
        pprof_pager_forget(d->pager); /* (it may be reading the table) */
    free(*table);
    *table = out;
    *n = *cap = keep;
    return 0;
}

/* Decodes the common shape of a Location message [q, q + len): each field's
 * tag one byte, of the wire type the schema gives, and lines of function
 * id, line and column only; into *loc and *map_id, its lines appended to
 * p->lines. false, with nothing appended, on anything else: the general
 * decoder (slow_location) then decodes it, or says what is wrong. */
static bool fast_location(dec *d, const uint8_t *q, size_t len, pprof_location *loc, uint64_t *map_id)
{
    pprof_profile *p = d->p;
    const uint8_t *e = q + len;
    size_t n = p->n_lines, max = n + len / 2; /* (a line takes two bytes at least) */
    if (max >= UINT32_MAX - 1 || PPROF_GROW_AHEAD(p->lines, p->internal->cap_lines, max + 1) ||
        PPROF_GROW_AHEAD(d->line_fn_ids, d->cap_line_fn_ids, max + 1))
        return false;
    while (q < e) {
        uint8_t tag = *q++;
        uint64_t v;
        if (!pprof_rd_varint(&q, e, &v))
            return false;
        if (tag == (4 << 3 | WT_LEN)) {
            if (v > (uint64_t)(e - q))
                return false;
            const uint8_t *le = q + v;
            uint64_t fn_id = 0, line = 0, column = 0;
            while (q < le) {
                uint8_t t = *q++;
                if (!pprof_rd_varint(&q, le, &v))
                    return false;
                if (t == (1 << 3 | WT_VARINT))
                    fn_id = v;
                else if (t == (2 << 3 | WT_VARINT))
                    line = v;
                else if (t == (3 << 3 | WT_VARINT))
                    column = v;
                else
                    return false;
            }
            p->lines[n] = (pprof_line){.line = (int64_t)line, .column = (int64_t)column};
            d->line_fn_ids[n++] = fn_id;
            continue;
        }
        switch (tag) {
        case 1 << 3 | WT_VARINT: loc->id = v; break;
        case 2 << 3 | WT_VARINT: *map_id = v; break;
        case 3 << 3 | WT_VARINT: loc->address = v; break;
        case 5 << 3 | WT_VARINT: loc->is_folded = v != 0; break;
        default: return false;
        }
    }
    p->n_lines = n;
    return true;
}

/* Decodes any Location message, as fast_location does the common ones. */
static int slow_location(dec *d, const field *outer, uint64_t off, pprof_location *loc, uint64_t *map_id)
{
    pprof_profile *p = d->p;
    uint64_t v = 0;
    const uint8_t *q = outer->data, *e = q + outer->len;
    while (q < e) {
        field f;
        uint64_t foff = off + (uint64_t)(q - outer->data);
        if (rd_field(d, &q, e, foff, "location", &f))
            return d->err->code;
        int rc = 0;
        switch (f.num) {
        case 1: rc = int_field(d, &f, "location id", foff, &loc->id); break;
        case 2: rc = int_field(d, &f, "location mapping_id", foff, map_id); break;
        case 3: rc = int_field(d, &f, "location address", foff, &loc->address); break;
        case 4: {
            wire_line wl;
            memset(&wl, 0, sizeof wl);
            rc = dec_scalars(d, &f, foff, "location line", line_fields, sizeof line_fields / sizeof line_fields[0],
                             &wl);
            if (rc)
                return rc;
            if (p->n_lines >= UINT32_MAX - 1)
                return fail(d, PPROF_ELIMIT, "parsing profile: too many lines");
            if (PPROF_GROW_AHEAD(p->lines, p->internal->cap_lines, p->n_lines + 1) ||
                PPROF_GROW_AHEAD(d->line_fn_ids, d->cap_line_fn_ids, p->n_lines + 1))
                return fail(d, PPROF_ENOMEM, "out of memory");
            p->lines[p->n_lines] = wl.ln;
            d->line_fn_ids[p->n_lines] = wl.fn_id;
            p->n_lines++;
            break;
        }
        case 5: rc = int_field(d, &f, "location is_folded", foff, &v); loc->is_folded = v != 0; break;
        default: break;
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* Allocates an array not allocated yet for n elements with
 * pprof_alloc_huge. 0 or PPROF_ENOMEM. */
static int reserve_huge(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (*arr || *cap || n > SIZE_MAX / elem)
        return 0;
    void *b = pprof_alloc_huge(n * elem);
    if (!b)
        return PPROF_ENOMEM;
    *arr = b;
    *cap = n;
    return 0;
}

/* At the first Location, in raw-id mode: the location tables take as many
 * entries as the samples use ids (few profiles have samples after their
 * locations), and the id map covers the largest, at once, instead of
 * growing a doubling at a time, each growth a copy. */
static int reserve_locations(dec *d)
{
    pprof_profile *p = d->p;
    uint64_t max;
    size_t n = pprof_idset_count(&d->loc_refs, &max);
    if (n == 0 || n >= UINT32_MAX - 2)
        return 0;
    if (d->pager)
        pprof_pager_forget(d->pager); /* (the lines may move) */
    /* The location table (each of its n entries written once, front to
     * back) and the lines (most locations have one or more) on huge pages
     * where whole 2 MiB pages fit: on the bench machine, a virtual one,
     * the first write to a 4 KiB page costs 14-25 us even when populated
     * ahead, to a 2 MiB one some 150 us. big100k -top, this thread's CPU
     * from the first Location to the first Function: 25.2 -> 21.3 ms
     * (best of 21), peak RSS the same. (Under 2 MiB, as the labels
     * profile's tables, nothing changes.) */
    if (reserve_huge((void **)&p->locations, &p->internal->cap_locations.n, n, sizeof *p->locations) ||
        reserve_huge((void **)&p->lines, &p->internal->cap_lines.n, n, sizeof *p->lines))
        return fail(d, PPROF_ENOMEM, "out of memory");
    if (PPROF_GROW(p->locations, p->internal->cap_locations.n, n) || PPROF_GROW(d->loc_defined, d->cap_loc_defined, n) ||
        PPROF_GROW(d->loc_map_ids, d->cap_loc_map_ids.n, n) || PPROF_GROW(d->loc_wire_order, d->cap_wire_order, n) ||
        PPROF_GROW(p->lines, p->internal->cap_lines.n, n) || PPROF_GROW(d->line_fn_ids, d->cap_line_fn_ids.n, n) ||
        pprof_idmap_reserve(&d->loc_ids, max))
        return fail(d, PPROF_ENOMEM, "out of memory");
    return 0;
}

/* Appends the bit of the Location field that arrived: held or not. */
static int note_location_field(dec *d, bool held)
{
    size_t k = d->n_loc_fields;
    if (k % 64 == 0 && PPROF_GROW(d->loc_held_bits, d->cap_loc_held_words, k / 64 + 1))
        return fail(d, PPROF_ENOMEM, "out of memory");
    if (k % 64 == 0)
        d->loc_held_bits[k / 64] = 0;
    d->loc_held_bits[k / 64] |= (uint64_t)held << (k % 64);
    d->n_loc_fields++;
    return 0;
}

static int dec_location(dec *d, const field *outer, uint64_t off)
{
    pprof_profile *p = d->p;
    if (outer->wt != WT_LEN)
        return type_mismatch(d, "location", outer, off);
    pprof_location loc;
    memset(&loc, 0, sizeof loc);
    uint64_t map_id = 0;
    size_t lines_start = p->n_lines;
    if (!fast_location(d, outer->data, outer->len, &loc, &map_id)) {
        memset(&loc, 0, sizeof loc);
        map_id = 0;
        int rc = slow_location(d, outer, off, &loc, &map_id);
        if (rc)
            return rc;
    }
    if (loc.id == 0)
        return fail(d, PPROF_ESEMANTIC, "malformed profile: found location with reserved id=0 (offset %llu)",
                    (unsigned long long)off);
    /* Whether a sample so far uses it: in raw-id mode the samples hold
     * wire ids, gathered in loc_refs; else the used ids have indices. */
    uint32_t idx = pprof_idmap_get(&d->loc_ids, loc.id);
    bool used = d->promoting || idx != PPROF_NONE;
    if (d->raw_ids && !used) {
        int rc = note_raw_refs(d);
        if (!rc && d->n_loc_fields == 0 && !d->promoting)
            rc = reserve_locations(d);
        if (rc)
            return rc;
        used = pprof_idset_has(&d->loc_refs, loc.id);
    }
    if (!used) {
        /* No sample has used it yet: held (its bytes are read again if
         * needed), and what its lines name kept for the check at the end
         * (check_held_lines). */
        for (size_t i = lines_start; i < p->n_lines; i++) {
            uint64_t fn_id = d->line_fn_ids[i];
            d->drop_zero |= fn_id == 0;
            if (fn_id && pprof_idset_add(&d->drop_fn_refs, fn_id))
                return fail(d, PPROF_ENOMEM, "out of memory");
        }
        p->n_lines = lines_start;
        d->n_loc_held++;
        return note_location_field(d, true);
    }
    if (idx == PPROF_NONE) { /* (numbered in wire order, in raw-id mode) */
        int rc = loc_new(d, loc.id, &idx);
        if (rc)
            return rc;
    }
    if (d->loc_defined[idx]) {
        /* Reported after the whole input is read: two concatenated profiles
         * repeat ids, and "concatenated" is the better message then. */
        if (!d->dup_loc_id)
            d->dup_loc_id = loc.id;
        return 0; /* (not in loc_held_bits: the profile fails, with no rescan) */
    }
    d->loc_defined[idx] = 1;
    loc.lines_off = (uint32_t)lines_start;
    loc.n_lines = (uint32_t)(p->n_lines - lines_start);
    loc.mapping = PPROF_NONE;
    p->locations[idx] = loc;
    d->loc_map_ids[idx] = map_id;
    if (PPROF_GROW(d->loc_wire_order, d->cap_wire_order, d->n_loc_defined + 1))
        return fail(d, PPROF_ENOMEM, "out of memory");
    d->loc_wire_order[d->n_loc_defined++] = idx;
    if (!d->promoting && note_location_field(d, false))
        return d->err->code;
    /* what it uses: functions and mappings decoded later are kept */
    for (size_t i = lines_start; i < p->n_lines; i++) {
        uint64_t fn_id = d->line_fn_ids[i];
        if (fn_id && !pprof_idset_has(&d->fn_refs, fn_id)) {
            if (pprof_idset_add(&d->fn_refs, fn_id))
                return fail(d, PPROF_ENOMEM, "out of memory");
            d->fn_ref_after_hold |= d->fn_pend.count > 0;
        }
    }
    return 0;
}

/* The input's Location fields again, in wire order (after the whole input
 * was decoded: their framing is known good); visit(d, ctx, msg, len,
 * held) for each, until it returns non-zero (an error code, or 1 to stop). */
typedef int (*loc_visit)(dec *d, void *ctx, const uint8_t *msg, size_t len, bool held);

static int rescan_locations(dec *d, loc_visit visit, void *ctx)
{
    src s;
    memset(&s, 0, sizeof s);
    s.err = d->err;
    s.max = d->s->max;
    s.gz = pprof_is_gzip(d->in, d->in_len);
    int rc = src_open_here(&s, d->in, d->in_len);
    for (size_t k = 0; !rc && k < d->n_loc_fields;) {
        int64_t have = src_fill(&s, 20);
        if (have <= 0) {
            rc = have < 0 ? (int)have : fail(d, PPROF_EWIRE, "parsing profile: input changed while read");
            break;
        }
        const uint8_t *start = s.win + s.pos, *q = start, *e = s.win + s.end;
        uint64_t tag, v = 0;
        bool ok = rd_varint(&q, e, &tag);
        int wt = (int)(tag & 7);
        if (ok && (wt == WT_VARINT || wt == WT_LEN))
            ok = rd_varint(&q, e, &v);
        if (!ok) {
            rc = fail(d, PPROF_EWIRE, "parsing profile: input changed while read");
            break;
        }
        uint64_t skip = wt == WT_LEN ? v : wt == WT_I64 ? 8 : wt == WT_I32 ? 4 : 0;
        s.pos += (size_t)(q - start);
        if (tag == (4u << 3 | WT_LEN)) {
            have = src_fill(&s, (size_t)v);
            if (have < (int64_t)v) {
                rc = have < 0 ? (int)have : fail(d, PPROF_EWIRE, "parsing profile: input changed while read");
                break;
            }
            rc = visit(d, ctx, s.win + s.pos, (size_t)v, d->loc_held_bits[k / 64] >> (k % 64) & 1);
            k++;
        }
        while (!rc && skip) { /* (a field passed over a piece at a time: a big string too) */
            have = src_fill(&s, 1);
            if (have <= 0) {
                rc = have < 0 ? (int)have : fail(d, PPROF_EWIRE, "parsing profile: input changed while read");
                break;
            }
            size_t take = (uint64_t)have < skip ? (size_t)have : (size_t)skip;
            s.pos += take;
            skip -= take;
        }
    }
    if (s.z_live) {
        inflateEnd(&s.z);
        free(s.win);
    }
    return rc == 1 ? 0 : rc;
}

typedef struct promote_ctx {
    uint32_t *order; /* the locations' new wire order, or NULL */
    size_t n_order, k_old;
} promote_ctx;

/* One Location field for promote_pending. */
static int promote_one(dec *d, void *ctx, const uint8_t *msg, size_t len, bool held)
{
    promote_ctx *c = ctx;
    if (!held) {
        if (c->order)
            c->order[c->n_order++] = d->loc_wire_order[c->k_old++];
        return 0;
    }
    uint64_t id = wire_id(msg, len);
    uint32_t idx = pprof_idmap_get(&d->loc_ids, id);
    if (idx == PPROF_NONE && !(d->raw_ids && pprof_idset_has(&d->loc_refs, id)))
        return 0;
    if (idx != PPROF_NONE && d->loc_defined[idx]) {
        d->dup_loc_id = id;
        return 1;
    }
    field f = {.num = 4, .wt = WT_LEN, .data = msg, .len = len};
    d->promoting = true;
    int rc = dec_location(d, &f, 0);
    d->promoting = false;
    c->order[c->n_order++] = pprof_idmap_get(&d->loc_ids, id);
    return rc;
}

/* After the whole input: decodes the held locations a sample used (in
 * their wire place among the others) and finds any repeating the id of a
 * decoded one. */
static int promote_pending(dec *d)
{
    if (!d->n_loc_held || d->dup_loc_id)
        return 0;
    if (d->raw_ids && note_raw_refs(d)) /* (the samples after the last location) */
        return d->err->code;
    if (!d->loc_ref_after_hold)
        return 0;
    pprof_profile *p = d->p;
    promote_ctx c = {NULL, 0, 0};
    /* (in raw-id mode the used locations not defined yet have no index) */
    bool promote = d->raw_ids || d->n_loc_defined < p->n_locations;
    if (promote && !(c.order = malloc((d->n_loc_defined + d->n_loc_held) * sizeof *c.order)))
        return fail(d, PPROF_ENOMEM, "out of memory");
    int rc = rescan_locations(d, promote_one, &c);
    if (!rc && promote && !d->dup_loc_id && c.n_order) /* none decoded: loc_wire_order may be NULL */
        memcpy(d->loc_wire_order, c.order, c.n_order * sizeof *c.order);
    free(c.order);
    return rc;
}

/* What the decoding holds so far, estimated from the counts (big arrays
 * grow by doubling, but their untouched tails cost no memory): the model,
 * the decoder's tables, its window and the arena. */
static uint64_t dec_bytes(const dec *d)
{
    const pprof_profile *p = d->p;
    uint64_t b = p->internal->arena.total + d->s->cap + d->s->own_cap;
    b += (uint64_t)p->n_samples * sizeof *p->samples + (uint64_t)d->n_values * sizeof *p->values;
    b += (uint64_t)p->n_sample_locs * sizeof *p->sample_locs + (uint64_t)p->n_labels * sizeof *p->labels;
    /* a location: itself, defined flag, mapping id, wire order, id map */
    b += (uint64_t)p->n_locations * (sizeof *p->locations + 1 + 8 + 4 + 8);
    b += (uint64_t)p->n_lines * (sizeof *p->lines + 8);
    b += (uint64_t)p->n_functions * sizeof *p->functions + (uint64_t)p->n_mappings * sizeof *p->mappings;
    b += (uint64_t)d->n_wstr * (sizeof *d->wstr + sizeof *d->wlen);
    b += (uint64_t)d->n_loc_fields / 8 + d->fn_pend.n;
    if (d->smp_slots)
        b += (uint64_t)(d->smp_mask + 1) * sizeof *d->smp_slots + (uint64_t)p->n_samples * sizeof *d->smp_hash;
    if (d->stk_slots)
        b += (uint64_t)(d->stk_mask + 1) * sizeof *d->stk_slots +
             (uint64_t)d->n_stk * (sizeof *d->stk_sample + sizeof *d->stk_hash);
    return b;
}

/* Fails when holding `more` bytes on top of what is held would pass the budget. */
static int check_budget(dec *d, uint64_t more)
{
    if (merge_pending(d))
        return d->err->code;
    uint64_t have = dec_bytes(d);
    if (have + more <= d->budget && have + more >= have)
        return 0;
    return fail(d, PPROF_ELIMIT,
                "parsing profile: decoding needs more than the memory budget of %llu MiB (max_memory)",
                (unsigned long long)(d->budget >> 20));
}

/* Appends a string of len bytes to the wire string table; *out gets its
 * storage (len + 1 bytes, NUL-terminated by the caller's copy). */
static int add_string(dec *d, uint64_t len, uint64_t off, char **out)
{
    if (d->n_wstr == 0 && len != 0)
        return fail(d, PPROF_EWIRE, "parsing profile: string_table[0] must be '' (offset %llu)",
                    (unsigned long long)off);
    if (d->n_wstr >= UINT32_MAX - 1)
        return fail(d, PPROF_ELIMIT, "parsing profile: too many strings");
    if (PPROF_GROW_AHEAD(d->wstr, d->cap_wstr, d->n_wstr + 1) || PPROF_GROW_AHEAD(d->wlen, d->cap_wlen, d->n_wstr + 1))
        return fail(d, PPROF_ENOMEM, "out of memory");
    if (len > UINT32_MAX)
        return fail(d, PPROF_ELIMIT, "parsing profile: string %zu too long", d->n_wstr);
    if (len >= (1u << 20) && check_budget(d, len))
        return d->err->code;
    char *c = pprof_arena_alloc_bytes(&d->p->internal->arena, (size_t)len + 1);
    if (!c)
        return fail(d, PPROF_ENOMEM, "out of memory");
    c[len] = 0;
    d->wstr[d->n_wstr] = c;
    d->wlen[d->n_wstr] = (uint32_t)len;
    d->n_wstr++;
    *out = c;
    return 0;
}

static int dec_string(dec *d, const field *f, uint64_t off)
{
    if (f->wt != WT_LEN)
        return type_mismatch(d, "string_table", f, off);
    char *c;
    int rc = add_string(d, f->len, off, &c);
    if (!rc)
        memcpy(c, f->data, f->len);
    return rc;
}

/* A big string of inflated input (its header already consumed) is copied
 * from the stream into its place piece by piece: the window never grows to
 * hold it, so a 1.9 GiB string costs 1.9 GiB, not twice that. */
static int dec_string_streamed(dec *d, uint64_t len, uint64_t off)
{
    char *c;
    int rc = add_string(d, len, off, &c);
    if (rc)
        return rc;
    src *s = d->s;
    uint64_t left = len;
    while (left) {
        int64_t have = src_fill(s, 1);
        if (have < 0)
            return (int)have;
        if (have == 0)
            return fail(d, PPROF_EWIRE,
                        "parsing profile: field 6: length %llu exceeds the %llu bytes left at offset %llu",
                        (unsigned long long)len, (unsigned long long)(len - left), (unsigned long long)off);
        size_t take = (uint64_t)have < left ? (size_t)have : (size_t)left;
        memcpy(c, s->win + s->pos, take);
        c += take;
        s->pos += take;
        left -= take;
    }
    return 0;
}

/* Decodes one top-level Profile field. */
static int dec_top(dec *d, const field *f, uint64_t off)
{
    pprof_profile *p = d->p;
    uint64_t v = 0;
    int rc = 0;
    if (f->num != 2 && d->n_pend && (rc = merge_pending(d)))
        return rc;
    switch (f->num) {
    case 1: {
        pprof_value_type vt;
        rc = dec_value_type(d, f, off, "sample_type", &vt);
        if (!rc && PPROF_GROW(p->sample_types, p->internal->cap_sample_types, p->n_sample_types + 1))
            return fail(d, PPROF_ENOMEM, "out of memory");
        if (!rc)
            p->sample_types[p->n_sample_types++] = vt;
        return rc;
    }
    case 2: return dec_sample(d, f, off);
    case 3: return dec_mapping(d, f, off);
    case 4: return dec_location(d, f, off);
    case 5: return dec_function(d, f, off);
    case 6: return dec_string(d, f, off);
    case 7: return str_index(d, f, "drop_frames", off, &p->drop_frames);
    case 8: return str_index(d, f, "keep_frames", off, &p->keep_frames);
    case 9:
        /* As pprof: only a second non-zero time_nanos marks concatenated profiles. */
        if (p->time_nanos != 0)
            return fail(d, PPROF_ECONCAT, "parsing profile: concatenated profiles detected (second time_nanos at offset %llu)",
                        (unsigned long long)off);
        rc = int_field(d, f, "time_nanos", off, &v);
        p->time_nanos = (int64_t)v;
        return rc;
    case 10:
        rc = int_field(d, f, "duration_nanos", off, &v);
        p->duration_nanos = (int64_t)v;
        return rc;
    case 11: return dec_value_type(d, f, off, "period_type", &p->period_type);
    case 12:
        rc = int_field(d, f, "period", off, &v);
        p->period = (int64_t)v;
        return rc;
    case 13:
        FOR_EACH_VARINT(d, f, off, "comment", c, {
            if ((int64_t)c < 0 || c >= UINT32_MAX)
                return fail(d, PPROF_EWIRE, "parsing profile: comment: string index %lld out of range",
                            (long long)c);
            if (pprof_profile_add_comment(p, (pprof_str)c))
                return fail(d, PPROF_ENOMEM, "out of memory");
        });
        return 0;
    case 14: return str_index(d, f, "default_sample_type", off, &p->default_sample_type);
    case 15: return str_index(d, f, "doc_url", off, &p->doc_url);
    default: return 0; /* unknown fields are skipped */
    }
}

/* ---------------------------------------------------------------- resolution */

typedef struct str_resolver {
    dec *d;
    const uint32_t *map; /* wire index -> interned id */
    size_t n;
} str_resolver;

static int res_str(str_resolver *r, pprof_str *s, const char *what, size_t index)
{
    if (*s >= r->n)
        return fail(r->d, PPROF_ESEMANTIC,
                    "parsing profile: %s %zu: string index %u out of range (string table has %zu entries)",
                    what, index, *s, r->n);
    *s = r->map[*s];
    return 0;
}

/* A label whose only content was a string index naming a later "" entry of
 * the wire table resolves to nothing. pprof's CLI never shows such a label
 * (it re-parses an encoded copy, which drops it), and in the model it would
 * read as a numeric label 0, so it goes, keeping the labels in place. */
static void drop_empty_labels(pprof_profile *p)
{
    size_t i = 0;
    while (i < p->n_labels && (p->labels[i].str || p->labels[i].num || p->labels[i].num_unit))
        i++;
    if (i == p->n_labels)
        return;
    size_t w = 0;
    for (size_t k = 0; k < p->n_samples; k++) {
        pprof_sample *s = &p->samples[k];
        size_t start = w;
        for (size_t j = s->labels_off; j < s->labels_off + s->n_labels; j++) {
            const pprof_label *l = &p->labels[j];
            if (l->str || l->num || l->num_unit)
                p->labels[w++] = *l;
        }
        s->labels_off = start;
        s->n_labels = (uint32_t)(w - start);
    }
    p->n_labels = w;
}

static int resolve_strings(dec *d)
{
    pprof_profile *p = d->p;
    if (d->n_wstr == 0)
        return fail(d, PPROF_ESEMANTIC, "parsing profile: missing string table (string_table[0] must be '')");
    uint32_t *map = malloc(d->n_wstr * sizeof *map);
    if (!map)
        return fail(d, PPROF_ENOMEM, "out of memory");
    if (pprof_profile_intern_owned_n(map, p, d->wstr, d->wlen, d->n_wstr)) {
        free(map);
        return fail(d, PPROF_ENOMEM, "out of memory");
    }
    str_resolver r = {d, map, d->n_wstr};
    int rc = 0;
    for (size_t i = 0; !rc && i < p->n_sample_types; i++) {
        rc = res_str(&r, &p->sample_types[i].type, "sample_type", i);
        if (!rc)
            rc = res_str(&r, &p->sample_types[i].unit, "sample_type unit", i);
    }
    for (size_t i = 0; !rc && i < p->n_labels; i++) {
        pprof_label *l = &p->labels[i];
        rc = res_str(&r, &l->key, "label key", i);
        if (!rc)
            rc = res_str(&r, &l->str, "label str", i);
        if (!rc)
            rc = res_str(&r, &l->num_unit, "label num_unit", i);
    }
    for (size_t i = 0; !rc && i < p->n_mappings; i++) {
        rc = res_str(&r, &p->mappings[i].file, "mapping filename", i);
        if (!rc)
            rc = res_str(&r, &p->mappings[i].build_id, "mapping build_id", i);
    }
    for (size_t i = 0; !rc && i < p->n_functions; i++) {
        pprof_function *f = &p->functions[i];
        rc = res_str(&r, &f->name, "function name", i);
        if (!rc)
            rc = res_str(&r, &f->system_name, "function system_name", i);
        if (!rc)
            rc = res_str(&r, &f->filename, "function filename", i);
    }
    /* The functions dropped unused name strings too: checked. */
    const uint8_t *q = d->fn_pend.b, *msg;
    uint64_t len;
    bool held_ok = d->fn_held_max_str < d->n_wstr; /* (else find which one and say so) */
    for (size_t k = 0; !rc && d->fn_pend.count && !held_ok && next_pending(&d->fn_pend, &q, &msg, &len); k++) {
        pprof_function fn;
        memset(&fn, 0, sizeof fn);
        field f = {.num = 5, .wt = WT_LEN, .data = msg, .len = (size_t)len};
        if (len && !(rc = dec_scalars(d, &f, 0, "function", function_fields,
                                      sizeof function_fields / sizeof function_fields[0], &fn))) {
            rc = res_str(&r, &fn.name, "function name", k);
            if (!rc)
                rc = res_str(&r, &fn.system_name, "function system_name", k);
            if (!rc)
                rc = res_str(&r, &fn.filename, "function filename", k);
        }
    }
    if (!rc)
        rc = res_str(&r, &p->drop_frames, "drop_frames", 0);
    if (!rc)
        rc = res_str(&r, &p->keep_frames, "keep_frames", 0);
    if (!rc)
        rc = res_str(&r, &p->period_type.type, "period_type", 0);
    if (!rc)
        rc = res_str(&r, &p->period_type.unit, "period_type unit", 0);
    for (size_t i = 0; !rc && i < p->n_comments; i++)
        rc = res_str(&r, &p->comments[i], "comment", i);
    if (!rc)
        rc = res_str(&r, &p->default_sample_type, "default_sample_type", 0);
    if (!rc)
        rc = res_str(&r, &p->doc_url, "doc_url", 0);
    free(map);
    if (!rc)
        drop_empty_labels(p);
    return rc;
}

/* Maps the id of each of the n elements of base (stride bytes apart, the
 * id at id_off) to its index; ids must be non-zero and unique. */
static int index_ids(dec *d, pprof_idmap *ids, const void *base, size_t stride, size_t id_off, size_t n,
                     const char *what)
{
    memset(ids, 0, sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        uint64_t id;
        memcpy(&id, (const char *)base + i * stride + id_off, sizeof id);
        if (id == 0)
            return fail(d, PPROF_ESEMANTIC, "malformed profile: found %s with reserved ID=0", what);
        if (pprof_idmap_get(ids, id) != PPROF_NONE)
            return fail(d, PPROF_ESEMANTIC, "malformed profile: multiple %ss with same id: %llu", what,
                        (unsigned long long)id);
        if (pprof_idmap_put(ids, id, (uint32_t)i))
            return fail(d, PPROF_ENOMEM, "out of memory");
    }
    return 0;
}

/* Whether function id fn_id names no function: neither a kept one (ids)
 * nor a held one. */
static bool fn_missing(const dec *d, const pprof_idmap *ids, uint64_t fn_id)
{
    return !fn_id || (pprof_idmap_get(ids, fn_id) == PPROF_NONE && !pprof_idset_has(&d->fn_held, fn_id));
}

/* Fails when the held location msg has a line naming no function. */
static int check_held_one(dec *d, void *ctx, const uint8_t *msg, size_t len, bool held)
{
    const pprof_idmap *ids = ctx;
    if (!held || pprof_idmap_get(&d->loc_ids, wire_id(msg, len)) != PPROF_NONE)
        return 0; /* (decoded, or promoted: its lines were checked) */
    const uint8_t *lq = msg, *le = msg + len;
    while (lq < le) {
        field f;
        if (rd_field(d, &lq, le, 0, "location", &f))
            return d->err->code;
        if (f.num != 4)
            continue;
        wire_line wl;
        memset(&wl, 0, sizeof wl);
        int rc = dec_scalars(d, &f, 0, "location line", line_fields, sizeof line_fields / sizeof line_fields[0], &wl);
        if (rc)
            return rc;
        if (fn_missing(d, ids, wl.fn_id))
            return fail(d, PPROF_ESEMANTIC,
                        "malformed profile: location id: %llu has a line with nil function (function id %llu not "
                        "found)",
                        (unsigned long long)wire_id(msg, len), (unsigned long long)wl.fn_id);
    }
    return 0;
}

/* The lines of the locations no sample uses are checked as pprof does,
 * though the locations are dropped: each must name a function, kept or
 * held. The function ids they name were gathered as they arrived
 * (dec_location); when one names none, the held locations are decoded
 * again to find the first that does, and say which. */
static int check_held_lines(dec *d, const pprof_idmap *ids)
{
    const pprof_idset *refs = &d->drop_fn_refs;
    bool bad = d->drop_zero;
    for (size_t w = 0; w < refs->n_words && !bad; w++)
        for (uint64_t b = refs->bits[w]; b && !bad; b &= b - 1)
            bad = fn_missing(d, ids, (uint64_t)w * 64 + (unsigned)__builtin_ctzll(b));
    const pprof_idmap *big = &refs->big;
    for (size_t id = PPROF_IDSET_BITS_MAX; id < big->dense_cap && !bad; id++)
        bad = big->dense[id] && fn_missing(d, ids, id);
    for (size_t k = 0; k < big->count && !bad; k++)
        bad = fn_missing(d, ids, big->entries[k].id);
    if (!bad)
        return 0;
    int rc = rescan_locations(d, check_held_one, (void *)ids);
    if (rc)
        return rc;
    return fail(d, PPROF_ESEMANTIC, "malformed profile: a location has a line with nil function"); /* (not reached) */
}

static int resolve_functions(dec *d)
{
    pprof_profile *p = d->p;
    pprof_idmap ids;
    int rc = index_ids(d, &ids, p->functions, sizeof *p->functions, offsetof(pprof_function, id), p->n_functions,
                       "function");
    for (size_t i = 0; !rc && i < p->n_lines; i++) {
        uint32_t idx = d->line_fn_ids[i] ? pprof_idmap_get(&ids, d->line_fn_ids[i]) : PPROF_NONE;
        if (idx == PPROF_NONE) {
            /* Find the location for the message. */
            uint64_t loc_id = 0;
            for (size_t k = 0; k < p->n_locations; k++) {
                const pprof_location *l = &p->locations[k];
                if (i >= l->lines_off && i < (size_t)l->lines_off + l->n_lines)
                    loc_id = l->id;
            }
            rc = fail(d, PPROF_ESEMANTIC,
                      "malformed profile: location id: %llu has a line with nil function (function id %llu not found)",
                      (unsigned long long)loc_id, (unsigned long long)d->line_fn_ids[i]);
        } else {
            p->lines[i].function = idx;
        }
    }
    if (!rc)
        rc = check_held_lines(d, &ids);
    pprof_idmap_release(&ids);
    return rc;
}

static int resolve_mappings(dec *d)
{
    pprof_profile *p = d->p;
    pprof_idmap ids;
    int rc = index_ids(d, &ids, p->mappings, sizeof *p->mappings, offsetof(pprof_mapping, id), p->n_mappings,
                       "mapping");
    /* An unknown mapping id is treated as "no mapping", as pprof does. */
    for (size_t i = 0; !rc && i < p->n_locations; i++) {
        p->locations[i].mapping = d->loc_map_ids[i] ? pprof_idmap_get(&ids, d->loc_map_ids[i]) : PPROF_NONE;
        p->n_dangling_mappings += d->loc_map_ids[i] && p->locations[i].mapping == PPROF_NONE;
    }
    pprof_idmap_release(&ids);
    return rc;
}

/* Checks every referenced location was defined, then puts the table in wire order. */
static int resolve_locations(dec *d)
{
    pprof_profile *p = d->p;
    if (d->raw_ids) {
        /* Wire ids to indices, in reference order, so that an undefined
         * location is reported as the first one referenced. */
        const pprof_idmap *ids = &d->loc_ids;
        for (size_t i = 0; i < p->n_sample_locs; i++) {
            uint32_t id = p->sample_locs[i];
            uint32_t idx = id < ids->dense_cap ? ids->dense[id] - 1 : pprof_idmap_get(ids, id);
            if (idx == PPROF_NONE) {
                int rc = loc_ref(d, id, &idx);
                if (rc)
                    return rc;
            }
            p->sample_locs[i] = idx;
        }
        d->raw_ids = false;
    }
    if (d->n_loc_defined != p->n_locations) {
        for (size_t i = 0; i < p->n_locations; i++)
            if (!d->loc_defined[i])
                return fail(d, PPROF_ESEMANTIC,
                            "malformed profile: sample has nil location (location id %llu is not defined)",
                            (unsigned long long)p->locations[i].id);
    }
    size_t n = p->n_locations;
    bool ordered = true;
    for (size_t k = 0; k < n && ordered; k++)
        ordered = d->loc_wire_order[k] == k;
    if (ordered)
        return 0;
    uint32_t *order = d->loc_wire_order, *rank = malloc(n * sizeof *rank);
    if (!rank)
        return fail(d, PPROF_ENOMEM, "out of memory");
    for (size_t k = 0; k < n; k++)
        rank[order[k]] = (uint32_t)k;
    /* The table in wire order, in place, one cycle of the permutation at a
     * time (order[k] = k marks a place done): copies of it and of
     * loc_map_ids (which needs no order: resolve_mappings has used it)
     * took this function from 16 to 32 ms of deep.pb.gz's -top, 79,000
     * locations, 260 more page faults. */
    pprof_location *locs = p->locations;
    for (size_t s = 0; s < n; s++) {
        if (order[s] == s)
            continue;
        pprof_location first = locs[s];
        for (size_t k = s;;) {
            size_t j = order[k];
            order[k] = (uint32_t)k;
            if (j == s) {
                locs[k] = first;
                break;
            }
            locs[k] = locs[j];
            k = j;
        }
    }
    for (size_t i = 0; i < p->n_sample_locs; i++)
        p->sample_locs[i] = rank[p->sample_locs[i]];
    free(rank);
    return 0;
}

static int check_values(dec *d)
{
    pprof_profile *p = d->p;
    if (p->n_samples && !p->n_sample_types)
        return fail(d, PPROF_ESEMANTIC, "malformed profile: missing sample type information");
    if (p->n_samples && d->first_value_count != p->n_sample_types)
        return fail(d, PPROF_ESEMANTIC, "malformed profile: mismatch: sample 0 has %zu values vs. %zu types",
                    d->first_value_count, p->n_sample_types);
    if (d->value_count_bad)
        return fail(d, PPROF_ESEMANTIC, "malformed profile: mismatch: sample %zu has %zu values vs. %zu types",
                    d->bad_value_sample, d->bad_value_count, p->n_sample_types);
    return 0;
}

/* ---------------------------------------------------------------- entry */

bool pprof_is_gzip(const void *data, size_t len)
{
    const uint8_t *b = data;
    return len >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

static void dec_release(dec *d)
{
    free(d->wstr);
    free(d->wlen);
    pprof_idmap_release(&d->loc_ids);
    free(d->loc_defined);
    free(d->loc_wire_order);
    free(d->loc_map_ids);
    free(d->line_fn_ids);
    free(d->tmp_lines);
    free(d->smp_slots);
    free(d->smp_hash);
    free(d->stk_slots);
    free(d->stk_sample);
    free(d->stk_hash);
    free(d->loc_held_bits);
    free(d->fn_pend.b);
    pprof_idset_release(&d->fn_refs);
    pprof_idset_release(&d->loc_refs);
    pprof_idset_release(&d->fn_held);
    pprof_idset_release(&d->drop_fn_refs);
}

/* Strings longer than this are streamed into place (dec_string_streamed). */
#define STREAMED_STRING (1u << 20)

static int decode_all(dec *d)
{
    src *s = d->s;
    for (size_t fields = 1;; fields++) {
        if ((fields & 4095) == 0 && check_budget(d, 0))
            return d->err->code;
        int64_t have = src_fill(s, 20);
        if (have < 0)
            return (int)have;
        if (have == 0)
            break;
        const uint8_t *start = s->win + s->pos;
        const uint8_t *q = start, *e = s->win + s->end;
        uint64_t off = s->base + s->pos;
        uint64_t tag, len = 0;
        size_t hdr = 0;
        if (!rd_varint(&q, e, &tag))
            return fail(d, PPROF_EWIRE, "parsing profile: bad varint at offset %llu", (unsigned long long)off);
        if ((tag & 7) == WT_LEN) {
            if (!rd_varint(&q, e, &len))
                return fail(d, PPROF_EWIRE, "parsing profile: bad varint length at offset %llu (field %llu)",
                            (unsigned long long)off, (unsigned long long)(tag >> 3));
            hdr = (size_t)(q - start);
            if (len > (uint64_t)SIZE_MAX - hdr || len > s->max)
                return fail(d, PPROF_EWIRE,
                            "parsing profile: field %llu: length %llu exceeds the data at offset %llu",
                            (unsigned long long)(tag >> 3), (unsigned long long)len, (unsigned long long)off);
            if (len > STREAMED_STRING && s->gz && check_budget(d, (tag >> 3) == 6 ? 0 : len))
                return d->err->code;
            if ((tag >> 3) == 6 && s->gz && len > STREAMED_STRING) {
                s->pos += hdr;
                int rc = dec_string_streamed(d, len, off + hdr);
                if (rc)
                    return rc;
                continue;
            }
            have = src_fill(s, hdr + (size_t)len);
            if (have < 0)
                return (int)have;
            if ((uint64_t)have < hdr + len)
                return fail(d, PPROF_EWIRE,
                            "parsing profile: field %llu: length %llu exceeds the %llu bytes left at offset %llu",
                            (unsigned long long)(tag >> 3), (unsigned long long)len,
                            (unsigned long long)(have - (int64_t)hdr), (unsigned long long)off);
        }
        if (tag == (2u << 3 | WT_LEN) && s->ahead) {
            const pprof_ahead_rec *r = pprof_ahead_take(s->ahead, off);
            if (r) {
                int rc = dec_sample_ahead(d, r);
                if (rc)
                    return rc;
                s->pos += hdr + (size_t)len; /* (all in the window: filled above) */
                continue;
            }
        }
        /* The window may have moved during the fill. */
        start = s->win + s->pos;
        q = start;
        e = s->win + s->end;
        field f;
        int rc = 0;
        if (hdr && (tag >> 3) - 1 < 536870911u) {
            /* (read above: what rd_field would find, in all its bytes) */
            f.num = (uint32_t)(tag >> 3);
            f.wt = WT_LEN;
            f.data = start + hdr;
            f.len = (size_t)len;
            q = f.data + f.len;
        } else if ((rc = rd_field(d, &q, e, off, "profile", &f))) {
            return rc;
        }
        rc = dec_top(d, &f, off + (uint64_t)(f.wt == WT_LEN ? (size_t)(f.data - start) : 0));
        if (rc)
            return rc;
        s->pos += (size_t)(q - start);
    }
    if (s->failed)
        return s->failed;
    int rc = merge_pending(d);
    if (rc)
        return rc;
    rc = promote_pending(d);
    pprof_profile *p = d->p;
    if (!rc && d->fn_ref_after_hold)
        rc = promote_table(d, &d->fn_pend, &d->fn_refs, (void **)&p->functions, &p->n_functions,
                           &p->internal->cap_functions.n, sizeof *p->functions, dec_function);
    if (rc)
        return rc;
    if (d->dup_loc_id)
        return fail(d, PPROF_ESEMANTIC, "malformed profile: multiple locations with same id: %llu",
                    (unsigned long long)d->dup_loc_id);
    return 0;
}

/* The largest capacity up to n that PPROF_GROW keeps under
 * PPROF_GROW_HUGE bytes (it rounds capacities up to powers of two). */
static size_t below_huge(size_t n, size_t elem)
{
    size_t most = 16;
    while (most * 2 * elem < PPROF_GROW_HUGE)
        most *= 2;
    return n < most ? n : most;
}

/* Reserves the arrays that grow with the input once, from its size: grown
 * a doubling at a time instead, each growth below malloc's mapping
 * threshold was a copy (7 MB in all on big100k.pb.gz, 3% of its CPU),
 * and reserved pages cost nothing until written. The location references
 * take as many entries as the input has bytes over two (each takes a byte
 * at least, and profiles are mostly samples), advised for huge pages: a
 * 4 KiB fault cost some 10 us on the bench machine (a virtual one), and
 * the array's faults took -top of deep.pb.gz (22 MB of kept references)
 * from 0.37 to 0.44 s of CPU. The samples (with the merge tables),
 * labels, functions and strings (two bytes each at least) and values
 * (one) get as many as that allows under PPROF_GROW_HUGE, so that only an
 * array that grows that far is on huge pages, as before (a huge page is
 * resident whole); one that does grows in place (pprof_grow). */
static void reserve_for(dec *d, uint64_t size, uint64_t max)
{
    if (size > max)
        size = max;
    if (size < (1u << 20))
        return;
    pprof_profile *p = d->p;
    struct pprof_profile_internal *in = p->internal;
    size_t n = (size_t)(size / 2), ns = below_huge(n, sizeof *p->samples);
    if (PPROF_GROW(p->sample_locs, in->cap_sample_locs, n) == 0)
        pprof_advise_huge(p->sample_locs, n * sizeof *p->sample_locs);
    /* (on failure each grows as it goes) */
    (void)(PPROF_GROW(p->samples, in->cap_samples.n, ns) || PPROF_GROW(d->smp_hash, d->cap_smp_hash.n, ns) ||
           PPROF_GROW(d->stk_sample, d->cap_stk_sample.n, ns) || PPROF_GROW(d->stk_hash, d->cap_stk_hash.n, ns));
    (void)PPROF_GROW(p->values, in->cap_values.n, below_huge(2 * n, sizeof *p->values));
    (void)PPROF_GROW(p->labels, in->cap_labels.n, below_huge(n, sizeof *p->labels));
    (void)PPROF_GROW(p->functions, in->cap_functions.n, below_huge(n, sizeof *p->functions));
    n = below_huge(n, sizeof *d->wstr);
    (void)(PPROF_GROW(d->wstr, d->cap_wstr.n, n) || PPROF_GROW(d->wlen, d->cap_wlen.n, n));
}

/* The tables the decoder writes front to back get the pages of their
 * next steps populated and first touched by the pager's thread (the
 * inflating one), or, g NULL, by this one as they go (pprof_fill_step). */
static void dec_set_pager(dec *d, pprof_pager *g)
{
    struct pprof_profile_internal *in = d->p->internal;
    pprof_fill *fills[] = {
        &in->arena.fill,        &in->cap_samples.fill,  &in->cap_values.fill,     &in->cap_labels.fill,
        &in->cap_locations.fill, &in->cap_lines.fill,   &in->cap_functions.fill,  &d->cap_wstr.fill,
        &d->cap_wlen.fill,      &d->cap_loc_map_ids.fill, &d->cap_line_fn_ids.fill, &d->cap_smp_hash.fill,
        &d->cap_stk_sample.fill, &d->cap_stk_hash.fill,
    };
    for (size_t i = 0; i < sizeof fills / sizeof *fills; i++)
        pprof_fill_set_pager(fills[i], g);
    d->pager = g;
}

/* Small gzip inputs (a merge's many captures) are inflated whole by ISA-L,
 * about twice as fast as zlib, then decoded as raw bytes: up to the size
 * their gzip trailer gives (so a bomb costs no more than that), at most
 * WHOLE_MAX and a quarter of the memory budget, and only when ISA-L takes
 * the input to its end; else zlib inflates it as it is decoded (in a small
 * window, repeated samples merged as they come), and says what is wrong. */
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define WHOLE_MAX (16u << 20)
#else
#define WHOLE_MAX (1u << 16)
#endif

static bool whole_inflate(src *s, const uint8_t *data, size_t len, uint64_t budget)
{
    uint64_t max = pprof_gzip_size_hint(data, len);
    if (max > s->max)
        max = s->max;
    if (max > WHOLE_MAX)
        max = WHOLE_MAX;
    if (max > budget / 4)
        max = budget / 4;
    uint8_t *buf;
    size_t n;
    if (max == 0 || pprof_isal_inflate_all(&buf, &n, data, len, max, max) != 0)
        return false;
    s->gz = false;
    s->whole = true;
    s->win = buf;
    s->cap = s->end = n;
    s->total = n;
    return true;
}

static int parse(pprof_profile **out, const void *data, size_t len, const pprof_parse_options *opt,
                 bool ahead_all, pprof_error *err)
{
    *out = NULL;
    pprof_error local;
    if (!err)
        err = &local;
    err->code = 0;
    err->msg[0] = 0;
    if (len == 0)
        return pprof_error_set(err, PPROF_EEMPTY, "parsing profile: empty input file");
    src s;
    memset(&s, 0, sizeof s);
    s.err = err;
    s.in = data;
    s.in_len = len;
    s.max = opt && opt->max_inflated ? opt->max_inflated : PPROF_DEFAULT_MAX_INFLATED;
    s.gz = pprof_is_gzip(data, len);
    /* Big inputs inflate in a second thread while this one decodes, unless
     * the caller wants one thread; when the thread cannot start, this one
     * inflates as it goes. */
    bool threaded = s.gz && len >= DEC_THREAD_MIN && len <= UINT32_MAX && !(opt && opt->single_threaded);
    if (threaded && pprof_ahead_new(&s.ahead, pprof_pipe_ahead_ring(pprof_pipe_chunk(data, len)), ahead_all) != 0)
        s.ahead = NULL; /* (the samples are then all decoded here) */
    if (threaded && pprof_pipe_start_ahead(&s.pipe, data, len, s.max, opt && opt->input_mapped, s.ahead) != 0) {
        s.pipe = NULL;
        threaded = false;
        pprof_ahead_free(s.ahead);
        s.ahead = NULL;
    }
    if (threaded) {
        s.own_cap = DEC_OWN;
        s.win = s.own = malloc(s.own_cap);
        if (!s.own) {
            pprof_pipe_stop(s.pipe);
            pprof_ahead_free(s.ahead);
            return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
        }
    } else if (s.gz && len < DEC_THREAD_MIN && whole_inflate(&s, data, len, pprof_parse_max_memory(opt))) {
        /* inflated whole: decoded as raw bytes */
    } else {
        int rc = src_open_here(&s, data, len);
        if (rc)
            return rc;
    }

    dec d;
    memset(&d, 0, sizeof d);
    d.err = err;
    d.s = &s;
    d.budget = pprof_parse_max_memory(opt);
    d.raw_ids = true;
    d.in = data;
    d.in_len = len;
    d.p = pprof_profile_new();
    int rc = d.p ? 0 : pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    if (!rc)
        reserve_for(&d, s.gz ? pprof_gzip_size_hint(data, len) : s.end, s.max);
    if (!rc && s.pipe)
        dec_set_pager(&d, pprof_pipe_pager(s.pipe));
    if (!rc)
        rc = decode_all(&d);
    if (rc && rc != PPROF_ENOMEM && !s.failed) {
        pprof_error gz_err;
        int grc = src_drain(&s, &gz_err);
        if (grc) {
            *err = gz_err;
            rc = grc;
        }
    }
    if (s.gz) {
        if (s.pipe) {
            if (d.p)
                dec_set_pager(&d, NULL); /* (the pipe's goes with it) */
            pprof_pipe_stop(s.pipe); /* (the thread feeding s.ahead is gone) */
            pprof_ahead_free(s.ahead);
            free(s.own);
        } else {
            inflateEnd(&s.z);
            free(s.win);
        }
        if (!rc && s.total == 0)
            rc = pprof_error_set(err, PPROF_EEMPTY, "parsing profile: empty input file");
    }
    if (s.whole)
        free(s.win);
    if (!rc)
        rc = resolve_strings(&d);
    if (!rc)
        rc = check_values(&d);
    if (!rc)
        rc = resolve_mappings(&d);
    if (!rc)
        rc = resolve_functions(&d);
    if (!rc)
        rc = resolve_locations(&d);
    dec_release(&d);
    if (rc) {
        pprof_profile_free(d.p);
        return rc;
    }
    *out = d.p;
    return 0;
}

int pprof_profile_parse(pprof_profile **out, const void *data, size_t len,
                        const pprof_parse_options *opt, pprof_error *err)
{
    return parse(out, data, len, opt, false, err);
}

int pprof_profile_parse_ahead_all(pprof_profile **out, const void *data, size_t len,
                                  const pprof_parse_options *opt, pprof_error *err)
{
    return parse(out, data, len, opt, true, err);
}
