/* decode_ahead.c: decodes Sample fields in the inflating thread into a ring of records the decoder merges (see decode_ahead.h). */
#include "decode_ahead.h"

#include <stdatomic.h>

#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define AHEAD_RING (4u << 20) /* default (tests); lib/decode.c gives pprof_pipe_ahead_ring */
#define AHEAD_PART_MAX (1u << 16) /* bigger samples are left to the decoder */
#else
#define AHEAD_RING (1u << 16) /* fuzzing: the ring wraps and fills within small inputs */
#define AHEAD_PART_MAX (1u << 10)
#endif
#define AHEAD_HDR 24    /* bytes enough for any field's tag and length */
#define AHEAD_WRAP UINT64_MAX /* an off that says: the next record is at the ring's start */

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };
enum { F_DONE, F_MORE, F_DEAD };

struct pprof_ahead {
    uint8_t *ring;
    size_t size;             /* of the ring: a power of two */
    _Atomic uint64_t wr, rd; /* bytes ever written / released: positions mod AHEAD_RING */
    /* writer (the inflating thread) */
    uint64_t off;        /* stream offset of the next field, or of part[0] */
    uint64_t skip;       /* bytes of the current field still to pass over */
    uint8_t *part;       /* a field cut by a chunk's end: its first part_len bytes */
    size_t part_len, part_need; /* part_need: the field's size, once its header is read (else 0) */
    bool dead;           /* the stream is not one this splitter follows: no more records */
    bool decode;         /* samples of this feed are decoded (else only passed over) */
    bool all;            /* every feed's samples are decoded (tests) */
    uint32_t *locs;
    int64_t *vals;
    pprof_label *labels;
    size_t cap_locs, cap_vals, cap_labels;
    /* reader (the decoder) */
    uint64_t r_pos, r_wr; /* its read position, and the last wr it saw */
    uint32_t held;        /* size of the record last returned */
};

int pprof_ahead_new(pprof_ahead **out, size_t ring, bool all)
{
    *out = NULL;
    if (ring == 0)
        ring = AHEAD_RING;
    if (ring < 4096 || (ring & (ring - 1)))
        return PPROF_EINVAL;
    pprof_ahead *a = calloc(1, sizeof *a);
    if (!a)
        return PPROF_ENOMEM;
    /* (pages of the ring are only backed where records were written) */
    a->size = ring;
    a->ring = pprof_alloc_huge(ring); /* (written through, round and round) */
    a->part = malloc(AHEAD_PART_MAX > AHEAD_HDR ? AHEAD_PART_MAX : AHEAD_HDR);
    if (!a->ring || !a->part) {
        pprof_ahead_free(a);
        return PPROF_ENOMEM;
    }
    a->all = all;
    atomic_init(&a->wr, 0);
    atomic_init(&a->rd, 0);
    *out = a;
    return 0;
}

void pprof_ahead_free(pprof_ahead *a)
{
    if (!a)
        return;
    free(a->ring);
    free(a->part);
    free(a->locs);
    free(a->vals);
    free(a->labels);
    free(a);
}

/* ---------------------------------------------------------------- writer */

/* Appends the record of the sample at offset off (n locations ...), or
 * drops it when the ring has no room. */
static void ring_put(pprof_ahead *a, uint64_t off, size_t nl, size_t nv, size_t nlab)
{
    size_t locs_bytes = (nl * sizeof *a->locs + 7) & ~(size_t)7;
    size_t size = sizeof(pprof_ahead_rec) + locs_bytes + nv * sizeof *a->vals + nlab * sizeof *a->labels;
    if (size > a->size / 4)
        return;
    uint64_t wr = atomic_load_explicit(&a->wr, memory_order_relaxed);
    uint64_t rd = atomic_load_explicit(&a->rd, memory_order_acquire);
    size_t pos = (size_t)(wr & (a->size - 1));
    size_t tail = a->size - pos;
    size_t need = size + (tail < size ? tail : 0);
    if (a->size - (wr - rd) < need)
        return; /* full: the decoder decodes this one itself */
    if (tail < size) {
        uint64_t wrap = AHEAD_WRAP;
        memcpy(a->ring + pos, &wrap, sizeof wrap);
        wr += tail;
        pos = 0;
    }
    uint8_t *w = a->ring + pos;
    pprof_ahead_rec r = {
        .off = off,
        .n_locs = (uint32_t)nl,
        .n_values = (uint32_t)nv,
        .n_labels = (uint32_t)nlab,
        .size = (uint32_t)size,
    };
    r.stack_hash = pprof_ahead_stack_hash(a->locs, nl);
    r.key_hash = pprof_ahead_key_hash(a->labels, nlab, r.stack_hash);
    memcpy(w, &r, sizeof r);
    w += sizeof r;
    if (nl)
        memcpy(w, a->locs, nl * sizeof *a->locs);
    if (nl & 1)
        memset(w + nl * sizeof *a->locs, 0, sizeof *a->locs); /* (the padding: a record's bytes are all set) */
    w += locs_bytes;
    if (nv)
        memcpy(w, a->vals, nv * sizeof *a->vals);
    w += nv * sizeof *a->vals;
    if (nlab)
        memcpy(w, a->labels, nlab * sizeof *a->labels);
    atomic_store_explicit(&a->wr, wr + size, memory_order_release);
}

/* A Label of string indices and a number, as the decoder reads it; false
 * on anything else (the decoder then decodes the sample, and says what
 * is wrong). */
static bool ahead_label(const uint8_t *q, const uint8_t *e, pprof_label *l, bool *keep)
{
    memset(l, 0, sizeof *l);
    while (q < e) {
        uint64_t tag, v;
        if (!pprof_rd_varint(&q, e, &tag) || (tag & 7) != WT_VARINT || !pprof_rd_varint(&q, e, &v))
            return false;
        switch (tag >> 3) {
        case 3: l->num = (int64_t)v; break;
        case 1:
        case 2:
        case 4:
            if ((int64_t)v < 0 || (int64_t)v >= (int64_t)UINT32_MAX)
                return false;
            if (tag >> 3 == 1)
                l->key = (pprof_str)v;
            else if (tag >> 3 == 2)
                l->str = (pprof_str)v;
            else
                l->num_unit = (pprof_str)v;
            break;
        default: return false;
        }
    }
    *keep = l->str != 0 || l->num != 0 || l->num_unit != 0;
    return true;
}

/* Decodes the Sample message [q, q + len) at stream offset off into a
 * record, when it has only the common kinds of fields. */
static void ahead_sample(pprof_ahead *a, uint64_t off, const uint8_t *q, size_t len)
{
    /* Each varint is at least a byte, each label two. */
    if (PPROF_GROW(a->locs, a->cap_locs, len + 1) || PPROF_GROW(a->vals, a->cap_vals, len + 1) ||
        PPROF_GROW(a->labels, a->cap_labels, len / 2 + 1))
        return;
    size_t nl = 0, nv = 0, nlab = 0;
    const uint8_t *e = q + len;
    while (q < e) {
        uint64_t tag, v;
        if (!pprof_rd_varint(&q, e, &tag))
            return;
        uint64_t num = tag >> 3;
        int wt = (int)(tag & 7);
        if (num == 3) {
            if (wt != WT_LEN || !pprof_rd_varint(&q, e, &v) || v > (uint64_t)(e - q))
                return;
            bool keep = false;
            if (!ahead_label(q, q + v, &a->labels[nlab], &keep))
                return;
            nlab += keep;
            q += v;
            continue;
        }
        if (num != 1 && num != 2)
            return;
        const uint8_t *fe;
        if (wt == WT_LEN) {
            if (!pprof_rd_varint(&q, e, &v) || v > (uint64_t)(e - q))
                return;
            fe = q + v;
            if (num == 1) /* (most of them, 8 bytes at a time; the loop below reads the rest) */
                nl += pprof_raw_ids_packed(&q, fe, a->locs + nl);
            if (q == fe)
                continue;
        } else if (wt == WT_VARINT) {
            fe = NULL; /* one value */
        } else {
            return;
        }
        do {
            if (!pprof_rd_varint(&q, fe ? fe : e, &v))
                return;
            if (num == 2) {
                a->vals[nv++] = (int64_t)v;
            } else {
                if (v - 1 >= (uint64_t)UINT32_MAX - 1) /* id 0, or not 32 bits: the decoder's */
                    return;
                a->locs[nl++] = (uint32_t)v;
            }
        } while (fe && q < fe);
    }
    ring_put(a, off, nl, nv, nlab);
}

/* One top-level field at [p, p + n), whose tag is at stream offset a->off:
 * F_DONE with *used bytes taken (a->skip set when the field goes on past
 * them), F_MORE when more bytes are needed to go on (a->part_need set once
 * the field's size is known), F_DEAD when this is no field the decoder
 * would go on after. */
static int ahead_field(pprof_ahead *a, const uint8_t *p, size_t n, size_t *used)
{
    const uint8_t *q = p, *e = p + n;
    uint64_t tag, v;
    if (!pprof_rd_varint(&q, e, &tag))
        return n < 10 ? F_MORE : F_DEAD;
    if (tag >> 3 == 0)
        return F_DEAD;
    uint64_t total;
    switch (tag & 7) {
    case WT_VARINT:
        if (!pprof_rd_varint(&q, e, &v))
            return e - q < 10 ? F_MORE : F_DEAD;
        total = (uint64_t)(q - p);
        break;
    case WT_I64: total = (uint64_t)(q - p) + 8; break;
    case WT_I32: total = (uint64_t)(q - p) + 4; break;
    case WT_LEN:
        if (!pprof_rd_varint(&q, e, &v))
            return e - q < 10 ? F_MORE : F_DEAD;
        if (v > (UINT64_MAX >> 2))
            return F_DEAD;
        total = (uint64_t)(q - p) + v;
        if (tag >> 3 == 2 && total <= AHEAD_PART_MAX && (a->decode || a->part_need)) {
            if (n < total) {
                a->part_need = (size_t)total;
                return F_MORE;
            }
            ahead_sample(a, a->off, q, (size_t)v);
        }
        break;
    default: return F_DEAD;
    }
    *used = total < n ? (size_t)total : n;
    a->skip = total - *used;
    a->off += *used;
    return F_DONE;
}

void pprof_ahead_feed(pprof_ahead *a, const uint8_t *data, size_t n, bool ready)
{
    a->decode = ready || a->all;
    while (n > 0 && !a->dead) {
        if (a->skip) {
            size_t t = a->skip < n ? (size_t)a->skip : n;
            data += t;
            n -= t;
            a->skip -= t;
            a->off += t;
            continue;
        }
        size_t used = 0;
        int r;
        if (a->part_len == 0) {
            r = ahead_field(a, data, n, &used);
            if (r == F_MORE) {
                memcpy(a->part, data, n); /* (n < part_need <= AHEAD_PART_MAX, or a header's few bytes) */
                a->part_len = n;
                return;
            }
            if (r == F_DONE) {
                data += used;
                n -= used;
            }
        } else {
            /* A cut field: its header first, then (a sample) the rest. */
            size_t want = (a->part_need ? a->part_need : AHEAD_HDR) - a->part_len;
            size_t t = want < n ? want : n;
            memcpy(a->part + a->part_len, data, t);
            a->part_len += t;
            data += t;
            n -= t;
            r = ahead_field(a, a->part, a->part_len, &used);
            if (r == F_DONE) {
                /* Bytes past the field were taken with its header: theirs again. */
                size_t back = a->part_len - used;
                data -= back;
                n += back;
                a->part_len = a->part_need = 0;
            }
        }
        if (r == F_DEAD)
            a->dead = true;
    }
}

/* ---------------------------------------------------------------- reader */

const pprof_ahead_rec *pprof_ahead_take(pprof_ahead *a, uint64_t off)
{
    if (a->held) {
        a->r_pos += a->held;
        a->held = 0;
        atomic_store_explicit(&a->rd, a->r_pos, memory_order_release);
    }
    for (;;) {
        if (a->r_pos == a->r_wr) {
            a->r_wr = atomic_load_explicit(&a->wr, memory_order_acquire);
            if (a->r_pos == a->r_wr)
                return NULL;
        }
        size_t pos = (size_t)(a->r_pos & (a->size - 1));
        const pprof_ahead_rec *r = (const pprof_ahead_rec *)(const void *)(a->ring + pos);
        uint64_t roff;
        memcpy(&roff, a->ring + pos, sizeof roff);
        if (roff == AHEAD_WRAP) {
            a->r_pos += a->size - pos;
        } else if (roff < off) {
            a->r_pos += r->size; /* (a sample the decoder did not reach as one) */
        } else {
            if (roff > off)
                return NULL;
            a->held = r->size;
            return r;
        }
        atomic_store_explicit(&a->rd, a->r_pos, memory_order_release);
    }
}
