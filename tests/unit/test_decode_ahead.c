/* test_decode_ahead.c: samples decoded ahead in the inflating thread (lib/decode_ahead.c): the same records however the stream is cut, none for what the decoder must judge, none lost silently when the ring is full, and a parse through them equal to one without. */
#include "decode_ahead.h"
#include "internal.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static pprof_str S(pprof_profile *p, const char *s)
{
    pprof_str id = 0;
    pprof_profile_intern(&id, p, s, strlen(s));
    return id;
}

static uint64_t rnd(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 33;
}

/* A profile of ns samples over nl locations: stacks of 0 to 40 frames,
 * two values, labels of strings, of numbers with units, and empty ones
 * (which the decoder drops). When huge_at is non-zero, that sample uses a
 * location whose id does not fit 32 bits (not decoded ahead: the decoder
 * leaves its raw-id mode there). Samples repeat, so that some merge. */
static pprof_profile *make_profile(int ns, int nl, int huge_at)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "cpu"), S(p, "nanoseconds")});
    for (int i = 0; i < nl; i++) {
        char name[32];
        snprintf(name, sizeof name, "fn%d", i);
        pprof_function f = {.id = (uint64_t)i + 1, .name = S(p, name), .filename = S(p, "x.c")};
        uint32_t fi, li;
        pprof_profile_add_function(&fi, p, &f);
        pprof_line ln = {fi, i, 0};
        uint64_t id = (uint64_t)i * 131 + 1; /* 1- to 3-byte varints */
        if (i == nl - 1 && huge_at)
            id = (uint64_t)1 << 40;
        pprof_location loc = {.id = id, .address = (uint64_t)i * 16, .mapping = PPROF_NONE};
        pprof_profile_add_location(&li, p, &loc, &ln, 1);
    }
    pprof_str k1 = S(p, "endpoint"), k2 = S(p, "bytes"), u = S(p, "bytes"), v1 = S(p, "/a"), v2 = S(p, "/b");
    for (int i = 0; i < ns; i++) {
        int seed = i % 5 == 4 ? 0 : i; /* every fifth sample repeats the first */
        uint64_t x = (uint64_t)seed * 977 + 3;
        uint32_t locs[40];
        size_t n = (size_t)(rnd(&x) % 41);
        for (size_t k = 0; k < n; k++)
            locs[k] = (uint32_t)(rnd(&x) % (uint64_t)(nl - 1));
        if (huge_at && i == huge_at) {
            n += n == 0;
            locs[n / 2] = (uint32_t)(nl - 1);
        }
        int64_t v[2] = {(int64_t)(i % 5) + 1, (int64_t)rnd(&x) - (1ll << 30)};
        pprof_label lb[3];
        size_t nlab = 0;
        if (seed % 3 == 0)
            lb[nlab++] = (pprof_label){.key = k1, .str = seed % 2 ? v1 : v2};
        if (seed % 4 == 0)
            lb[nlab++] = (pprof_label){.key = k2, .num = (int64_t)(seed % 9) * 1024, .num_unit = u};
        if (seed % 7 == 0)
            lb[nlab++] = (pprof_label){.key = k2}; /* neither string nor number: dropped */
        pprof_profile_add_sample(p, locs, n, v, lb, nlab);
    }
    return p;
}

/* A ring that holds all records of the small profile (a fresh default one
 * per cut would cost a 16 MiB allocation each, slow under sanitizers). */
enum { RING = 1 << 17 };

/* Offsets of the top-level Sample fields of a raw profile. */
static size_t sample_offsets(const uint8_t *b, size_t n, uint64_t *offs, size_t max)
{
    const uint8_t *q = b, *e = b + n;
    size_t k = 0;
    while (q < e) {
        uint64_t off = (uint64_t)(q - b), tag, v;
        if (!pprof_rd_varint(&q, e, &tag))
            break;
        switch (tag & 7) {
        case 0: pprof_rd_varint(&q, e, &v); break;
        case 1: q += 8; break;
        case 5: q += 4; break;
        case 2:
            pprof_rd_varint(&q, e, &v);
            q += v;
            if (tag >> 3 == 2 && k < max)
                offs[k++] = off;
            break;
        default: return k;
        }
    }
    return k;
}

/* The records of a feed, copied: each record's bytes in turn, a record
 * of off and size 0 standing for a sample without one. */
static void collect(pprof_ahead *a, const uint64_t *offs, size_t n, pprof_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        const pprof_ahead_rec *r = pprof_ahead_take(a, offs[i]);
        if (r) {
            pprof_buf_append(out, r, r->size);
        } else {
            pprof_ahead_rec none = {.off = offs[i]};
            pprof_buf_append(out, &none, sizeof none);
        }
    }
}

/* Feeds raw in pieces cut at the given points (sorted, within len). */
static void feed_cut(pprof_ahead *a, const uint8_t *raw, size_t len, const size_t *cuts, size_t ncuts)
{
    size_t at = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t to = i < ncuts ? cuts[i] : len;
        pprof_ahead_feed(a, raw + at, to - at, false);
        at = to;
    }
}

/* Every record says what the profile has at that sample; a sample using
 * the huge location id has none. */
static void check_records(const pprof_profile *p, const pprof_buf *recs, size_t n)
{
    const uint8_t *q = recs->data;
    size_t with = 0, without = 0;
    for (size_t i = 0; i < n && i < p->n_samples; i++) {
        const pprof_ahead_rec *r = (const pprof_ahead_rec *)(const void *)q;
        const pprof_sample *s = &p->samples[i];
        q += r->size ? r->size : sizeof *r;
        bool huge = false;
        for (uint32_t k = 0; k < s->n_locs; k++)
            huge |= p->locations[p->sample_locs[s->locs_off + k]].id > UINT32_MAX;
        if (huge) {
            CHECK_INT(r->size, 0);
            without++;
            continue;
        }
        CHECK(r->size != 0);
        if (!r->size)
            continue;
        with++;
        CHECK_INT(r->n_locs, s->n_locs);
        CHECK_INT(r->n_values, 2);
        bool same = r->n_locs == s->n_locs;
        for (uint32_t k = 0; same && k < s->n_locs; k++)
            same = pprof_ahead_locs(r)[k] == p->locations[p->sample_locs[s->locs_off + k]].id;
        CHECK(same);
        CHECK(memcmp(pprof_ahead_values(r), p->values + i * 2, 2 * sizeof(int64_t)) == 0);
        size_t kept = 0;
        const pprof_label *lb = pprof_sample_labels(p, s);
        for (uint32_t k = 0; k < s->n_labels; k++)
            kept += lb[k].str || lb[k].num || lb[k].num_unit;
        CHECK_INT(r->n_labels, kept);
        CHECK(r->stack_hash == pprof_ahead_stack_hash(pprof_ahead_locs(r), r->n_locs));
        CHECK(r->key_hash == pprof_ahead_key_hash(pprof_ahead_labels(r), r->n_labels, r->stack_hash));
    }
    CHECK_INT(with + without, n);
    CHECK_INT(without, 1);
}

/* The records are the same however the byte stream is cut into chunks:
 * once at every byte, into single bytes, and at every pair of points a
 * prime step apart. */
static void test_cuts(void)
{
    pprof_profile *p = make_profile(60, 50, 17);
    pprof_buf raw = {0};
    pprof_error err;
    CHECK_INT(pprof_profile_encode(&raw, p, false, &err), 0);
    uint64_t offs[64];
    size_t n = sample_offsets(raw.data, raw.len, offs, 64);
    CHECK_INT(n, 60);
    pprof_ahead *a = NULL;
    pprof_buf want = {0};
    CHECK_INT(pprof_ahead_new(&a, 0, true), 0);
    if (!a)
        return;
    feed_cut(a, raw.data, raw.len, NULL, 0);
    collect(a, offs, n, &want);
    pprof_ahead_free(a);
    check_records(p, &want, n);

    size_t bad = 0, runs = 0;
    for (size_t cut = 0; cut <= raw.len; cut++) {
        pprof_buf got = {0};
        pprof_ahead_new(&a, RING, true);
        feed_cut(a, raw.data, raw.len, &cut, 1);
        collect(a, offs, n, &got);
        pprof_ahead_free(a);
        bad += got.len != want.len || memcmp(got.data, want.data, want.len) != 0;
        runs++;
        pprof_buf_release(&got);
    }
    for (size_t c1 = 0; c1 < raw.len; c1 += 97) {
        for (size_t c2 = c1; c2 <= raw.len; c2 += 41) {
            size_t cuts[2] = {c1, c2};
            pprof_buf got = {0};
            pprof_ahead_new(&a, RING, true);
            feed_cut(a, raw.data, raw.len, cuts, 2);
            collect(a, offs, n, &got);
            pprof_ahead_free(a);
            bad += got.len != want.len || memcmp(got.data, want.data, want.len) != 0;
            runs++;
            pprof_buf_release(&got);
        }
    }
    {
        pprof_buf got = {0};
        pprof_ahead_new(&a, 0, true);
        for (size_t i = 0; i < raw.len; i++)
            pprof_ahead_feed(a, raw.data + i, 1, false);
        collect(a, offs, n, &got);
        pprof_ahead_free(a);
        bad += got.len != want.len || memcmp(got.data, want.data, want.len) != 0;
        runs++;
        pprof_buf_release(&got);
    }
    CHECK_INT(bad, 0);
    CHECK(runs > raw.len);

    /* Not ready and not all: passed over, no record. */
    pprof_ahead_new(&a, 0, false);
    pprof_ahead_feed(a, raw.data, raw.len, false);
    CHECK(pprof_ahead_take(a, offs[0]) == NULL);
    CHECK(pprof_ahead_take(a, offs[n - 1]) == NULL);
    pprof_ahead_free(a);
    /* Ready: every sample decoded but the one with the huge id. */
    pprof_buf got = {0};
    pprof_ahead_new(&a, 0, false);
    pprof_ahead_feed(a, raw.data, raw.len, true);
    collect(a, offs, n, &got);
    pprof_ahead_free(a);
    CHECK(got.len == want.len && memcmp(got.data, want.data, want.len) == 0);
    pprof_buf_release(&got);

    /* A ring too small for all of them: the writer drops records it has
     * no room for, and the reader, taking some, makes room again. */
    pprof_ahead_new(&a, 4096, true);
    pprof_ahead_feed(a, raw.data, raw.len, false);
    size_t first = 0;
    while (first < n && pprof_ahead_take(a, offs[first]))
        first++;
    CHECK(first > 2 && first < n); /* the first ones fit, not all */
    size_t missing = 0, wrong = 0;
    const uint8_t *w = want.data;
    for (size_t i = 0; i < n; i++) {
        const pprof_ahead_rec *wr = (const pprof_ahead_rec *)(const void *)w;
        w += wr->size ? wr->size : sizeof *wr;
        if (i < first)
            continue;
        const pprof_ahead_rec *r = pprof_ahead_take(a, offs[i]);
        missing += r == NULL;
        wrong += r && (r->size != wr->size || memcmp(r, wr, wr->size) != 0); /* (a smaller one may fit) */
    }
    CHECK(missing > 0);
    CHECK_INT(wrong, 0);
    pprof_ahead_feed(a, raw.data, raw.len, false); /* the same stream again, at offsets past the first */
    size_t again = 0;
    for (size_t i = 0; i < n; i++)
        again += pprof_ahead_take(a, raw.len + offs[i]) != NULL;
    CHECK(again > 2);
    pprof_ahead_free(a);
    CHECK_INT(pprof_ahead_new(&a, 5000, true), PPROF_EINVAL);

    pprof_buf_release(&want);
    pprof_buf_release(&raw);
    pprof_profile_free(p);
}

/* The ring (pprof_pipe_ahead_ring) holds the records of a full pipe, its
 * PPROF_PIPE_SLOTS chunks inflated and not read yet, when they take up to
 * twice their samples' bytes on the wire (1.44 to 2.28 times on the
 * bench's profiles; here just under 2): while the decoder is that far
 * behind, the inflating thread still decodes every sample for it. (A ring
 * of four chunks dropped 1,677 of these 3,364.) */
static void test_full_pipe(void)
{
    size_t chunk = 64u << 10, pipe = PPROF_PIPE_SLOTS * chunk;
    pprof_profile *p = make_profile(8000, 2000, 0);
    pprof_buf raw = {0};
    pprof_error err;
    CHECK_INT(pprof_profile_encode(&raw, p, false, &err), 0);
    CHECK(raw.len > pipe);
    uint64_t *offs = malloc(8001 * sizeof *offs);
    size_t n = offs ? sample_offsets(raw.data, raw.len, offs, 8001) : 0;
    CHECK_INT(n, 8000);
    /* The samples wholly in the pipe, and their records' bytes. */
    size_t k = 0;
    while (k + 1 < n && offs[k + 1] <= pipe)
        k++;
    pprof_ahead *a = NULL;
    CHECK_INT(pprof_ahead_new(&a, 8 * pipe, true), 0);
    uint64_t rec_bytes = 0;
    if (a) {
        pprof_ahead_feed(a, raw.data, pipe, false);
        for (size_t i = 0; i < k; i++) {
            const pprof_ahead_rec *r = pprof_ahead_take(a, offs[i]);
            rec_bytes += r ? r->size : 0;
        }
        pprof_ahead_free(a);
    }
    double ratio = (double)rec_bytes / (double)offs[k];
    CHECK(ratio > 1.5 && ratio < 2);
    size_t missing = 0;
    CHECK_INT(pprof_ahead_new(&a, pprof_pipe_ahead_ring(chunk), true), 0);
    if (a) {
        pprof_ahead_feed(a, raw.data, pipe, false);
        for (size_t i = 0; i < k; i++)
            missing += pprof_ahead_take(a, offs[i]) == NULL;
        pprof_ahead_free(a);
    }
    CHECK_INT(missing, 0);
    free(offs);
    pprof_buf_release(&raw);
    pprof_profile_free(p);
}

/* Broken samples get no record: the decoder decodes them and says why. */
static void test_refused(void)
{
    static const uint8_t cases[][12] = {
        {0x12, 0x03, 0x0a, 0x01, 0x00},             /* location id 0 */
        {0x12, 0x02, 0x08, 0x00},                   /* location id 0, unpacked */
        {0x12, 0x02, 0x0d, 0x01},                   /* field 1 as fixed32 */
        {0x12, 0x03, 0x0a, 0x02, 0x81},             /* packed varint cut */
        {0x12, 0x04, 0x1a, 0x02, 0x08, 0x7f},       /* a label of a key alone: dropped, still a record */
        {0x12, 0x04, 0x1a, 0x02, 0x10, 0x00},       /* label of an empty string: dropped, still a record */
        {0x12, 0x04, 0x1a, 0x02, 0x0a, 0x00},       /* label field as bytes */
        {0x12, 0x02, 0x20, 0x01},                   /* unknown field 4 */
        {0x12, 0x03, 0x1a, 0x05, 0x08},             /* label longer than the sample */
    };
    static const bool record[] = {false, false, false, false, true, true, false, false, false};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pprof_ahead *a = NULL;
        pprof_ahead_new(&a, 0, true);
        pprof_ahead_feed(a, cases[i], 2 + cases[i][1], false);
        const pprof_ahead_rec *r = pprof_ahead_take(a, 0);
        if ((r != NULL) != record[i])
            fprintf(stderr, "case %zu\n", i);
        CHECK((r != NULL) == record[i]);
        pprof_ahead_free(a);
    }
    /* A field the decoder stops at (wire type 3): nothing after it. */
    static const uint8_t dead[] = {0x1b, 0x12, 0x02, 0x0a, 0x01};
    pprof_ahead *a = NULL;
    pprof_ahead_new(&a, 0, true);
    pprof_ahead_feed(a, dead, sizeof dead, false);
    CHECK(pprof_ahead_take(a, 1) == NULL);
    pprof_ahead_free(a);
}

static void check_same(const pprof_profile *a, const pprof_profile *b)
{
    if (!a || !b)
        return;
    CHECK_INT(a->n_samples, b->n_samples);
    CHECK_INT(a->n_sample_locs, b->n_sample_locs);
    CHECK_INT(a->n_labels, b->n_labels);
    CHECK_INT(a->n_locations, b->n_locations);
    CHECK_INT(a->n_functions, b->n_functions);
    if (a->n_samples != b->n_samples || a->n_sample_locs != b->n_sample_locs || a->n_labels != b->n_labels ||
        a->n_locations != b->n_locations)
        return;
    CHECK(memcmp(a->samples, b->samples, a->n_samples * sizeof *a->samples) == 0);
    CHECK(memcmp(a->sample_locs, b->sample_locs, a->n_sample_locs * sizeof *a->sample_locs) == 0);
    CHECK(memcmp(a->values, b->values, a->n_samples * a->n_sample_types * sizeof *a->values) == 0);
    CHECK(memcmp(a->labels, b->labels, a->n_labels * sizeof *a->labels) == 0);
    bool ids = true;
    for (size_t i = 0; i < a->n_locations; i++)
        ids &= a->locations[i].id == b->locations[i].id;
    CHECK(ids);
}

/* A gzip profile over the pipe's chunk size parses the same with every
 * sample decoded ahead and in one thread; with the huge id in the middle
 * the decoder leaves its raw-id mode between samples decoded ahead. */
static void test_parse_same(int huge_at)
{
    pprof_profile *p = make_profile(60000, 20000, huge_at);
    pprof_buf gz = {0};
    pprof_error err;
    CHECK_INT(pprof_profile_encode(&gz, p, true, &err), 0);
    CHECK(gz.len > (1u << 20)); /* (so that the pipe's thread runs) */
    pprof_parse_options one = {.single_threaded = true};
    pprof_profile *a = NULL, *b = NULL, *c = NULL;
    CHECK_INT(pprof_profile_parse(&a, gz.data, gz.len, &one, &err), 0);
    CHECK_INT(pprof_profile_parse_ahead_all(&b, gz.data, gz.len, NULL, &err), 0);
    CHECK_INT(pprof_profile_parse(&c, gz.data, gz.len, NULL, &err), 0);
    check_same(a, b);
    check_same(a, c);
    CHECK(a && a->n_samples < 60000); /* (some merged) */
    pprof_profile_free(a);
    pprof_profile_free(b);
    pprof_profile_free(c);
    pprof_buf_release(&gz);
    pprof_profile_free(p);
}

/* The decoder's merge tables (lib/decode.c, merge_pending) grow from
 * 1,024 slots as samples are kept: 6,000 distinct stacks, each once
 * without labels and once with one, then all of them again in another
 * order (before, between and after the growths). Every repeat merges into
 * its first copy (values added, order of first arrival) and each
 * labelled sample shares its stack's location range; in one thread, and
 * over the pipe with every sample decoded ahead. */
static void test_merge_after_growth(void)
{
    enum { NS = 6000, NL = 3000, NPASS = 2 };
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    for (int i = 0; i < NL; i++) {
        pprof_function f = {.id = (uint64_t)i + 1, .name = S(p, "f"), .filename = S(p, "x.c")};
        uint32_t fi, li;
        pprof_profile_add_function(&fi, p, &f);
        pprof_line ln = {fi, i, 0};
        pprof_location loc = {.id = (uint64_t)i * 97 + 1, .mapping = PPROF_NONE};
        pprof_profile_add_location(&li, p, &loc, &ln, 1);
    }
    pprof_str key = S(p, "k"), val = S(p, "v");
    for (int pass = 0; pass < NPASS; pass++) {
        for (int j = 0; j < 2 * NS; j++) {
            int i = pass ? (int)(((uint64_t)j * 7919) % (2 * NS)) : j; /* (7919 is prime to 12,000) */
            int s = i / 2;
            uint64_t x = (uint64_t)s * 2654435761u + 1;
            uint32_t locs[48];
            size_t n = 24 + (size_t)(rnd(&x) % 24);
            for (size_t k = 0; k < n; k++)
                locs[k] = (uint32_t)(rnd(&x) % NL);
            locs[0] = (uint32_t)(s % NL); /* (distinct stacks) */
            locs[1] = (uint32_t)(s / NL);
            int64_t v = (int64_t)i + 1 + pass * 100000;
            pprof_label lb = {.key = key, .str = val};
            pprof_profile_add_sample(p, locs, n, &v, &lb, (size_t)(i & 1));
        }
    }
    pprof_buf raw = {0}, gz = {0};
    pprof_error err;
    CHECK_INT(pprof_profile_encode(&raw, p, false, &err), 0);
    CHECK_INT(pprof_profile_encode(&gz, p, true, &err), 0);
    CHECK(gz.len > (1u << 20)); /* (so that the pipe's thread runs) */
    pprof_profile *got[2] = {NULL, NULL};
    CHECK_INT(pprof_profile_parse(&got[0], raw.data, raw.len, NULL, &err), 0);
    CHECK_INT(pprof_profile_parse_ahead_all(&got[1], gz.data, gz.len, NULL, &err), 0);
    for (int k = 0; k < 2; k++) {
        const pprof_profile *a = got[k];
        if (!a)
            continue;
        CHECK_INT(a->n_samples, 2 * NS);
        if (a->n_samples != 2 * NS)
            continue;
        size_t bad_values = 0, bad_stacks = 0, locs = 0;
        for (int i = 0; i < 2 * NS; i++) {
            bad_values += a->values[i] != 2 * ((int64_t)i + 1) + 100000;
            const pprof_sample *sm = &a->samples[i], *first = &a->samples[i & ~1];
            bad_stacks += sm->n_labels != (uint32_t)(i & 1) || sm->locs_off != first->locs_off;
            locs += i & 1 ? 0 : sm->n_locs;
        }
        CHECK_INT(bad_values, 0);
        CHECK_INT(bad_stacks, 0);
        CHECK_INT(a->n_sample_locs, locs);
    }
    pprof_profile_free(got[0]);
    pprof_profile_free(got[1]);
    pprof_buf_release(&raw);
    pprof_buf_release(&gz);
    pprof_profile_free(p);
}

/* One gzip member of n bytes, appended to out. */
static void gzip_member(pprof_buf *out, const uint8_t *d, size_t n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    CHECK_INT(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, (uLong)n);
    pprof_buf_reserve(out, cap);
    z.next_in = (Bytef *)d;
    z.avail_in = (uInt)n;
    z.next_out = out->data + out->len;
    z.avail_out = (uInt)cap;
    CHECK_INT(deflate(&z, Z_FINISH), Z_STREAM_END);
    out->len += cap - z.avail_out;
    deflateEnd(&z);
}

/* The location table of a profile whose samples use 2 MiB of locations or
 * more is reserved on huge pages at the first Location (lib/decode.c,
 * reserve_locations): it starts on a 2 MiB boundary, as pprof_alloc_huge
 * places it (a plain allocation that size starts 16 bytes past a page). */
static void test_huge_locations(void)
{
    pprof_profile *p = make_profile(60000, 80000, 0);
    pprof_buf raw = {0};
    pprof_error err;
    CHECK_INT(pprof_profile_encode(&raw, p, false, &err), 0);
    pprof_profile *a = NULL;
    CHECK_INT(pprof_profile_parse(&a, raw.data, raw.len, NULL, &err), 0);
    CHECK(a && a->n_locations * sizeof *a->locations >= (2u << 20));
    CHECK(a && ((uintptr_t)a->locations & ((2u << 20) - 1)) == 0);
    pprof_profile_free(a);
    pprof_buf_release(&raw);
    pprof_profile_free(p);
}

/* Small gzip inputs are inflated whole (ISA-L when built with it): the
 * same profile as from the raw bytes, gzip members one after another, and
 * zlib's words for what ISA-L does not take to its end. */
static void test_small_gzip(void)
{
    pprof_profile *p = make_profile(300, 200, 0);
    pprof_buf raw = {0}, gz = {0};
    pprof_error err;
    CHECK_INT(pprof_profile_encode(&raw, p, false, &err), 0);
    CHECK_INT(pprof_profile_encode(&gz, p, true, &err), 0);
    CHECK(gz.len < (1u << 20));
    pprof_profile *a = NULL, *b = NULL;
    CHECK_INT(pprof_profile_parse(&a, raw.data, raw.len, NULL, &err), 0);
    CHECK_INT(pprof_profile_parse(&b, gz.data, gz.len, NULL, &err), 0);
    check_same(a, b);
    pprof_profile_free(b);
    b = NULL;
#ifdef PPROF_HAVE_ISAL
    uint8_t *whole = NULL;
    size_t n = 0;
    CHECK_INT(pprof_isal_inflate_all(&whole, &n, gz.data, gz.len, 1u << 30, 0), 0);
    CHECK(n == raw.len && whole && memcmp(whole, raw.data, n) == 0);
    free(whole);
    CHECK_INT(pprof_isal_inflate_all(&whole, &n, gz.data, gz.len, raw.len - 1, 0), -1); /* over max */
    CHECK(whole == NULL);
#endif
    /* Two members: the profile split in two at a field's end (a sample's
     * bytes, then the rest) decodes as one. */
    uint64_t offs[2];
    CHECK_INT(sample_offsets(raw.data, raw.len, offs, 2), 2);
    pprof_buf two = {0};
    gzip_member(&two, raw.data, (size_t)offs[1]);
    gzip_member(&two, raw.data + offs[1], raw.len - (size_t)offs[1]);
    CHECK_INT(pprof_profile_parse(&b, two.data, two.len, NULL, &err), 0);
    check_same(a, b);
    pprof_profile_free(b);
    b = NULL;
    /* Truncated, and trailing junk: zlib's complaints. */
    CHECK(pprof_profile_parse(&b, gz.data, gz.len - 3, NULL, &err) != 0);
    CHECK(strstr(err.msg, "truncated") != NULL);
    pprof_buf junk = {0};
    pprof_buf_append(&junk, gz.data, gz.len);
    pprof_buf_append(&junk, "junk", 4);
    CHECK_INT(pprof_profile_parse(&b, junk.data, junk.len, NULL, &err), PPROF_EGZIP);
    CHECK(strstr(err.msg, "trailing garbage") != NULL);
    /* A small cap inflates a little over it, not the whole input. */
    pprof_buf head = {0};
    CHECK_INT(pprof_gunzip(&head, gz.data, gz.len, 100, &err), PPROF_ELIMIT);
    CHECK_INT(head.len, 101);
    CHECK(memcmp(head.data, raw.data, 101) == 0);
    pprof_buf_release(&head);
    pprof_buf_release(&junk);
    pprof_buf_release(&two);
    pprof_profile_free(a);
    pprof_buf_release(&raw);
    pprof_buf_release(&gz);
    pprof_profile_free(p);
}

/* The pipe's chunk (and so its four slots, and the ring)
 * follows the inflated size the gzip trailer gives: a 64th of it, rounded
 * up to a power of two, from 64 KiB to 1 MiB. */
static void test_pipe_chunk(void)
{
    static const struct {
        uint32_t isize;
        size_t chunk;
    } cases[] = {
        {9889976, 256u << 10},    /* the bench's 100,000-sample profile */
        {127574013, 1u << 20},    /* its 1M-sample one */
        {64u << 20, 1u << 20},    /* from 64 MiB on: 1 MiB */
        {32u << 20, 512u << 10},
        {(32u << 20) + 64, 1u << 20},
        {4u << 20, 64u << 10},
        {1000, 64u << 10},
    };
    size_t len = 4u << 20;
    uint8_t *gz = calloc(1, len);
    CHECK(gz != NULL);
    if (!gz)
        return;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t v = cases[i].isize;
        uint8_t *t = gz + len - 4;
        t[0] = (uint8_t)v, t[1] = (uint8_t)(v >> 8), t[2] = (uint8_t)(v >> 16), t[3] = (uint8_t)(v >> 24);
        CHECK_INT(pprof_gzip_size_hint(gz, len), v);
        CHECK_INT(pprof_pipe_chunk(gz, len), cases[i].chunk);
    }
    /* The hint is bounded by 64 times the input (a truncated file's last
     * bytes say anything), and is 0 without a trailer. */
    memset(gz + 996, 0xff, 4);
    CHECK_INT(pprof_gzip_size_hint(gz, 1000), 64000);
    CHECK_INT(pprof_pipe_chunk(gz, 1000), 64u << 10);
    CHECK_INT(pprof_gzip_size_hint(gz, 17), 0);
    CHECK_INT(pprof_pipe_chunk(gz, 17), 64u << 10);
    free(gz);
}

/* Through the pipe, its chunks are decoded in place and only a field over
 * a chunk's end is put together apart (lib/decode.c, src_fill_pipe): a
 * profile with fields bigger than a chunk (a 300 KB function name, a
 * sample of 60,000 frames) parses as in one thread, and a broken byte, a
 * truncated input and a cut inside a field give the same error, offsets
 * included. */
static void test_parse_in_place(void)
{
    pprof_profile *p = make_profile(60000, 20000, 0);
    size_t big = 300000;
    char *name = malloc(big + 1);
    uint32_t *locs = malloc(60000 * sizeof *locs);
    CHECK(name && locs);
    if (!name || !locs) {
        free(name);
        free(locs);
        pprof_profile_free(p);
        return;
    }
    for (size_t i = 0; i < big; i++)
        name[i] = (char)('a' + i % 26);
    name[big] = 0;
    pprof_function f = {.id = 999999, .name = S(p, name), .filename = S(p, "x.c")};
    uint32_t fi, li;
    pprof_profile_add_function(&fi, p, &f);
    pprof_line ln = {fi, 7, 0};
    pprof_location loc = {.id = 999999, .mapping = PPROF_NONE};
    pprof_profile_add_location(&li, p, &loc, &ln, 1);
    for (uint32_t k = 0; k < 60000; k++)
        locs[k] = k % 3 ? k % 20000 : li;
    int64_t v[2] = {1, 2};
    pprof_profile_add_sample(p, locs, 60000, v, NULL, 0);
    pprof_buf raw = {0}, gz = {0};
    pprof_error err;
    CHECK_INT(pprof_profile_encode(&raw, p, false, &err), 0);
    gzip_member(&gz, raw.data, raw.len);
    CHECK(gz.len > (1u << 20)); /* (so that the pipe's thread runs) */
    pprof_parse_options one = {.single_threaded = true};
    pprof_profile *a = NULL, *b = NULL;
    CHECK_INT(pprof_profile_parse(&a, gz.data, gz.len, &one, &err), 0);
    CHECK_INT(pprof_profile_parse(&b, gz.data, gz.len, NULL, &err), 0);
    check_same(a, b);
    if (a && b && a->n_functions == b->n_functions)
        for (size_t i = 0; i < a->n_functions; i++)
            CHECK(strcmp(pprof_string(a, a->functions[i].name), pprof_string(b, b->functions[i].name)) == 0);
    pprof_profile_free(a);
    pprof_profile_free(b);
    /* Broken input: the same error each way. The raw bytes are cut inside
     * the big sample (its length then runs past the end), or get a varint
     * of 11 bytes in the middle of the samples; the gzip input is cut. */
    uint64_t offs[60001];
    size_t ns = sample_offsets(raw.data, raw.len, offs, 60001);
    CHECK(ns > 1000);
    for (int k = 0; k < 3 && ns > 1000; k++) {
        pprof_buf in = {0};
        if (k == 0) {
            gzip_member(&in, raw.data, (size_t)offs[ns - 1] + 70000);
        } else if (k == 1) {
            pprof_buf bad = {0};
            pprof_buf_append(&bad, raw.data, raw.len);
            memset(bad.data + offs[ns / 2] + 5, 0xff, 11);
            gzip_member(&in, bad.data, bad.len);
            pprof_buf_release(&bad);
        } else {
            pprof_buf_append(&in, gz.data, gz.len - gz.len / 3);
        }
        pprof_error e1, e2;
        memset(&e1, 0, sizeof e1);
        memset(&e2, 0, sizeof e2);
        int r1 = pprof_profile_parse(&a, in.data, in.len, &one, &e1);
        int r2 = pprof_profile_parse(&b, in.data, in.len, NULL, &e2);
        CHECK(r1 != 0);
        CHECK_INT(r1, r2);
        CHECK(strcmp(e1.msg, e2.msg) == 0);
        if (strcmp(e1.msg, e2.msg) != 0)
            fprintf(stderr, "case %d: '%s' vs '%s'\n", k, e1.msg, e2.msg);
        pprof_profile_free(a);
        pprof_profile_free(b);
        a = b = NULL;
        pprof_buf_release(&in);
    }
    pprof_buf_release(&raw);
    pprof_buf_release(&gz);
    pprof_profile_free(p);
    free(name);
    free(locs);
}

/* pprof_raw_ids_packed against a byte-wise reading of the same bytes:
 * random lists of varints of 1 to 6 bytes, some of id 0, some cut at the
 * end. What it takes is the byte-wise reading's first ids, each of 1 to 4
 * bytes and not 0, and it stops where the next varint is not one of those
 * or fewer than 8 bytes are left. */
static void test_packed_ids(void)
{
    uint64_t x = 12345;
    uint8_t buf[256];
    uint32_t got[260];
    size_t fails = 0, taken = 0;
    for (int round = 0; round < 20000; round++) {
        size_t len = 0;
        int want_ids = (int)(rnd(&x) % 40);
        for (int i = 0; i < want_ids && len + 10 < sizeof buf; i++) {
            uint64_t r = rnd(&x) % 100;
            int bytes = r < 30 ? 1 : r < 60 ? 2 : r < 85 ? 3 : r < 95 ? 4 : r < 98 ? 5 : 6;
            uint64_t v = rnd(&x) & ((1ULL << (7 * bytes)) - 1);
            if (bytes > 1)
                v |= 1ULL << (7 * (bytes - 1)); /* exactly that many bytes */
            if (rnd(&x) % 50 == 0)
                v = 0;
            do {
                buf[len++] = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
                v >>= 7;
            } while (v);
        }
        if (rnd(&x) % 8 == 0 && len > 0)
            buf[len - 1] |= 0x80; /* a varint cut at the end */
        const uint8_t *q = buf, *end = buf + len;
        size_t n = pprof_raw_ids_packed(&q, end, got);
        taken += n;
        const uint8_t *r = buf;
        bool ok = true;
        for (size_t k = 0; k < n && ok; k++) {
            const uint8_t *t = r;
            uint64_t v;
            ok = pprof_rd_varint(&t, end, &v) && t - r <= 4 && v != 0 && got[k] == (uint32_t)v;
            r = t;
        }
        ok = ok && q == r;
        if (ok && end - q >= 8) { /* the next one is not one it takes */
            const uint8_t *t = q;
            uint64_t v;
            ok = !pprof_rd_varint(&t, end, &v) || t - q > 4 || v == 0;
        }
        fails += !ok;
    }
    CHECK_INT(fails, 0);
    CHECK(taken > 100000);
}

int main(void)
{
    test_packed_ids();
    test_pipe_chunk();
    test_cuts();
    test_full_pipe();
    test_refused();
    test_parse_same(0);
    test_parse_same(30001);
    test_merge_after_growth();
    test_huge_locations();
    test_small_gzip();
    test_parse_in_place();
    return unit_report("test_decode_ahead");
}
