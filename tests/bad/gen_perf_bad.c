/* gen_perf_bad.c: writes synthetic perf.data files (valid ones in file and pipe mode, LBR call stacks, and broken ones) into a directory and appends their expectations to its cases.tsv. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Usage: gen_perf_bad DIR. Each case line is "<file>\t<ok|error>\t<keywords>"
 * (keywords: "a|b", one must be in the error message), as tests/bad/run.sh reads. */

typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p) {
            perror("realloc");
            exit(1);
        }
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void u64(buf *b, uint64_t v)
{
    uint8_t x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    put(b, x, 8);
}

static void u32(buf *b, uint32_t v)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    put(b, x, 4);
}

static void u16(buf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(b, x, 2);
}

static void set64(buf *b, size_t at, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b->p[at + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t perf_u64_at(const buf *b, size_t at)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b->p[at + (size_t)i];
    return v;
}

/* Where a file-mode buffer's data section starts. */
static uint64_t perf_data_off(const buf *b)
{
    return perf_u64_at(b, 40);
}

static void pad8(buf *b)
{
    static const uint8_t z[8];
    put(b, z, (8 - b->n % 8) % 8);
}

/* Record header; returns where the size is, patched by rec_end. */
static size_t rec_begin(buf *b, uint32_t type, uint16_t misc)
{
    size_t at = b->n;
    u32(b, type);
    u16(b, misc);
    u16(b, 0);
    return at;
}

static void rec_end_unpadded(buf *b, size_t at)
{
    size_t size = b->n - at;
    b->p[at + 6] = (uint8_t)size;
    b->p[at + 7] = (uint8_t)(size >> 8);
}

static void rec_end(buf *b, size_t at)
{
    pad8(b);
    size_t size = b->n - at;
    b->p[at + 6] = (uint8_t)size;
    b->p[at + 7] = (uint8_t)(size >> 8);
}

/* zstd without a compressor: a frame of raw (stored) and RLE blocks, which
 * every zstd decoder reads (block header: bit 0 last, bits 1-2 type,
 * bits 3-23 size). */
static void zstd_frame_header(buf *b)
{
    static const uint8_t h[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x50}; /* magic, no size, 1 MiB window */
    put(b, h, sizeof h);
}

static void zstd_block(buf *b, int type, const uint8_t *data, size_t n, size_t size)
{
    uint32_t h = (uint32_t)type << 1 | (uint32_t)size << 3;
    uint8_t x[3] = {(uint8_t)h, (uint8_t)(h >> 8), (uint8_t)(h >> 16)};
    put(b, x, 3);
    put(b, data, n);
}

/* Rewrites records src[0..n) as COMPRESSED (81) or COMPRESSED2 (83)
 * records of chunk bytes each (records straddle them), one zstd stream
 * that is never ended, as perf record -z writes it. */
static void compress_records(buf *out, const uint8_t *src, size_t n, size_t chunk, uint32_t type)
{
    for (size_t off = 0; off < n; off += chunk) {
        size_t k = n - off < chunk ? n - off : chunk;
        size_t at = rec_begin(out, type, 0);
        size_t size_at = out->n;
        if (type == 83)
            u64(out, 0);
        size_t data_at = out->n;
        if (off == 0)
            zstd_frame_header(out);
        zstd_block(out, 0, src + off, k, k);
        if (type == 83) {
            set64(out, size_at, out->n - data_at);
            rec_end(out, at);
        } else {
            rec_end_unpadded(out, at); /* COMPRESSED's size is its data's */
        }
    }
}

enum {
    S_IP = 1, S_TID = 2, S_TIME = 4, S_CALLCHAIN = 32, S_ID = 64, S_PERIOD = 256,
    S_BRANCH_STACK = 1 << 11, S_REGS_USER = 1 << 12, S_STACK_USER = 1 << 13,
};
#define CTX_USER ((uint64_t)-512)

/* A perf_event_attr of 128 bytes (software cpu-clock unless said). */
static void attr(buf *b, uint64_t config, uint64_t sample_type, uint64_t branch_type)
{
    size_t at = b->n;
    u32(b, 1);   /* software */
    u32(b, 128); /* size */
    u64(b, config);
    u64(b, 4000);              /* freq */
    u64(b, sample_type);
    u64(b, 4);                 /* read_format ID */
    u64(b, 1u << 10 | 1u << 18 | 1u << 23); /* freq, sample_id_all, mmap2 */
    while (b->n < at + 72)
        u64(b, 0);
    u64(b, branch_type);
    while (b->n < at + 128)
        u64(b, 0);
}

/* The records of a small program: comm, an executable mapping, then
 * samples in main <- start with the leaf in hot or cold. */
static uint64_t g_sample_type = S_IP | S_TID | S_TIME | S_CALLCHAIN | S_PERIOD;
static int g_attrs = 1;
static bool g_lbr;

static void sample(buf *b, uint64_t id, uint64_t ip, uint64_t time, const uint64_t *chain, size_t n)
{
    size_t at = rec_begin(b, 9, 2);
    if (g_sample_type & S_IP)
        u64(b, ip);
    if (g_sample_type & S_TID) {
        u32(b, 100);
        u32(b, 100);
    }
    if (g_sample_type & S_TIME)
        u64(b, time);
    if (g_sample_type & S_ID)
        u64(b, id);
    if (g_sample_type & S_PERIOD)
        u64(b, 250000);
    if (g_sample_type & S_CALLCHAIN) {
        u64(b, n);
        for (size_t i = 0; i < n; i++)
            u64(b, chain[i]);
    }
    if (g_sample_type & S_BRANCH_STACK) {
        /* LBR call stack: leaf's caller first; from = the call sites */
        u64(b, 2);
        u64(b, 0x401050); u64(b, 0x401200); u64(b, 0); /* main calls hot */
        u64(b, 0x401010); u64(b, 0x401040); u64(b, 0); /* start calls main */
    }
    if (g_sample_type & S_REGS_USER)
        u64(b, 0); /* abi none */
    if (g_sample_type & S_STACK_USER)
        u64(b, 0); /* size 0 */
    rec_end(b, at);
}

static void records(buf *b, int n_samples)
{
    size_t at = rec_begin(b, 3, 0); /* COMM */
    u32(b, 100);
    u32(b, 100);
    put(b, "synth\0\0", 8);
    u64(b, 100); u64(b, 1000); /* sample_id: tid, time */
    rec_end(b, at);
    at = rec_begin(b, 10, 2); /* MMAP2 */
    u32(b, 100);
    u32(b, 100);
    u64(b, 0x400000);
    u64(b, 0x10000);
    u64(b, 0);
    u32(b, 8); u32(b, 1); u64(b, 1234); u64(b, 0); /* maj, min, ino, ino_generation */
    u32(b, 5);                                   /* prot r-x */
    u32(b, 2);                                   /* flags */
    put(b, "/usr/bin/synth\0\0", 16);
    u64(b, 100); u64(b, 1001);
    rec_end(b, at);
    for (int i = 0; i < n_samples; i++) {
        uint64_t leaf = i % 3 ? 0x401200 : 0x401300;
        uint64_t chain[] = {CTX_USER, leaf, 0x401051, 0x401011};
        uint64_t lbr_chain[] = {CTX_USER, leaf};
        if (g_lbr)
            sample(b, 7 + (uint64_t)(i % g_attrs), leaf, 2000 + (uint64_t)i, lbr_chain, 2);
        else
            sample(b, 7 + (uint64_t)(i % g_attrs), leaf, 2000 + (uint64_t)i, chain, 4);
    }
}

/* File mode: header, attrs (+ ids), data, one feature (hostname), and
 * with g_compress its records compressed (feature COMPRESSED too). */
static bool g_compress;
static uint32_t g_comp_mmap_len = 528384;

static void file_mode(buf *b, int n_samples, uint64_t branch_type)
{
    put(b, "PERFILE2", 8);
    u64(b, 104);
    u64(b, 144);
    for (int i = 0; i < 12; i++)
        u64(b, 0); /* sections and bitmap, patched below */
    size_t attrs_at = b->n;
    for (int k = 0; k < g_attrs; k++) {
        attr(b, (uint64_t)k, g_sample_type, branch_type);
        u64(b, 0); /* ids section, patched */
        u64(b, 8);
    }
    for (int k = 0; k < g_attrs; k++) {
        set64(b, attrs_at + 144 * (size_t)k + 128, b->n);
        u64(b, 7 + (uint64_t)k);
    }
    size_t data_at = b->n;
    if (g_compress) {
        buf plain = {0};
        records(&plain, n_samples);
        compress_records(b, plain.p, plain.n, 100, 81);
        free(plain.p);
    } else {
        records(b, n_samples);
    }
    size_t data_end = b->n;
    set64(b, 24, attrs_at);
    set64(b, 32, 144 * (uint64_t)g_attrs);
    set64(b, 40, data_at);
    set64(b, 48, data_end - data_at);
    set64(b, 72, 1u << 3 | (g_compress ? 1u << 27 : 0)); /* HOSTNAME, COMPRESSED */
    size_t sections = g_compress ? 2 : 1;
    u64(b, data_end + 16 * sections);
    u64(b, 12);
    if (g_compress) {
        u64(b, data_end + 16 * sections + 12);
        u64(b, 20);
    }
    u32(b, 8);
    put(b, "synth\0\0\0", 8);
    if (g_compress) {
        u32(b, 1); /* version */
        u32(b, 1); /* zstd */
        u32(b, 1); /* level */
        u32(b, 10); /* ratio */
        u32(b, g_comp_mmap_len);
    }
}

static void pipe_mode(buf *b, int n_samples)
{
    size_t records_at;
    put(b, "PERFILE2", 8);
    u64(b, 16);
    for (int k = 0; k < g_attrs; k++) {
        size_t at = rec_begin(b, 64, 0); /* HEADER_ATTR */
        attr(b, (uint64_t)k, g_sample_type, 0);
        u64(b, 7 + (uint64_t)k);
        rec_end(b, at);
    }
    size_t at = rec_begin(b, 80, 0); /* HEADER_FEATURE: hostname */
    u64(b, 3);
    u32(b, 8);
    put(b, "synth\0\0\0", 8);
    rec_end(b, at);
    records_at = b->n;
    records(b, n_samples);
    if (g_compress) { /* the records again, as COMPRESSED2 records */
        size_t n = b->n - records_at;
        uint8_t *plain = malloc(n);
        if (!plain) {
            perror("malloc");
            exit(1);
        }
        memcpy(plain, b->p + records_at, n);
        b->n = records_at;
        compress_records(b, plain, n, 72, 83);
        free(plain);
    }
}

static const char *g_dir;
static FILE *g_manifest;

static void emit(const char *name, const buf *b, size_t len, const char *expect, const char *kw)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->p, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    fprintf(g_manifest, "%s\t%s\t%s\n", name, expect, kw);
}

static void reset(void)
{
    g_sample_type = S_IP | S_TID | S_TIME | S_CALLCHAIN | S_PERIOD;
    g_attrs = 1;
    g_lbr = false;
    g_compress = false;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_perf_bad DIR\n");
        return 2;
    }
    g_dir = argv[1];
    char path[4096];
    snprintf(path, sizeof path, "%s/cases.tsv", g_dir);
    g_manifest = fopen(path, "a");
    if (!g_manifest) {
        perror(path);
        return 1;
    }
    buf b = {0};

    /* valid: file and pipe mode, two events with ids, an LBR call stack */
    file_mode(&b, 30, 0);
    emit("perf_ok_file.data", &b, b.n, "ok", "-");
    buf whole = b;
    b = (buf){0};
    pipe_mode(&b, 30);
    emit("perf_ok_pipe.data", &b, b.n, "ok", "-");
    size_t pipe_len = b.n;
    buf pipe = b;
    b = (buf){0};
    g_attrs = 2;
    g_sample_type |= S_ID;
    file_mode(&b, 30, 0);
    emit("perf_ok_two_events.data", &b, b.n, "ok", "-");
    free(b.p);
    b = (buf){0};
    reset();
    g_lbr = true;
    g_sample_type |= S_BRANCH_STACK;
    file_mode(&b, 30, 1u << 11 | 1u << 0);
    emit("perf_ok_lbr.data", &b, b.n, "ok", "-");
    free(b.p);
    b = (buf){0};
    reset();

    /* perf record -z: the same records compressed (file and pipe mode) */
    g_compress = true;
    file_mode(&b, 30, 0);
    emit("perf_ok_compressed.data", &b, b.n, "ok", "-");
    buf zfile = b;
    b = (buf){0};
    pipe_mode(&b, 30);
    emit("perf_ok_compressed_pipe.data", &b, b.n, "ok", "-");
    free(b.p);
    b = (buf){0};
    reset();

    /* an unknown record type in the stream is skipped */
    pipe_mode(&b, 3);
    {
        size_t at = rec_begin(&b, 200, 0);
        u64(&b, 42);
        rec_end(&b, at);
    }
    records(&b, 3);
    emit("perf_unknown_record.data", &b, b.n, "ok", "-");
    free(b.p);
    b = (buf){0};

    /* truncations */
    emit("perf_truncated_header.data", &whole, 50, "error", "truncated");
    emit("perf_truncated_data.data", &whole, whole.n - 40, "error", "truncated|outside");
    emit("perf_pipe_truncated.data", &pipe, pipe_len - 12, "error", "truncated");
    emit("perf_pipe_header_only.data", &pipe, 16, "error", "no event attributes|no samples");

    /* magic and header */
    memcpy(b.p = malloc(whole.n), whole.p, b.n = whole.n);
    memcpy(b.p, "2ELIFREP", 8);
    emit("perf_other_byte_order.data", &b, b.n, "error", "byte order");
    memcpy(b.p, "PERFFILE", 8);
    emit("perf_version1.data", &b, b.n, "error", "version 1");
    memcpy(b.p, "PERFILE2", 8);
    set64(&b, 8, 200);
    emit("perf_header_size.data", &b, b.n, "error", "header size");
    set64(&b, 8, 104);
    set64(&b, 48, (uint64_t)1 << 40);
    emit("perf_data_size_absurd.data", &b, b.n, "error", "outside");
    memcpy(b.p + 48, whole.p + 48, 8);
    set64(&b, 16, (uint64_t)1 << 40);
    emit("perf_attr_size_absurd.data", &b, b.n, "error", "attribute entry size");
    set64(&b, 16, 144);
    set64(&b, 32, (uint64_t)1 << 62);
    emit("perf_attrs_outside.data", &b, b.n, "error", "attribute section");
    free(b.p);
    b = (buf){0};

    /* records */
    pipe_mode(&b, 2);
    {
        size_t at = rec_begin(&b, 9, 2); /* a sample whose callchain claims 2^60 entries */
        u64(&b, 0x401200);
        u32(&b, 100); u32(&b, 100);
        u64(&b, 5000);
        u64(&b, 1);
        u64(&b, (uint64_t)1 << 60);
        u64(&b, 0x401200);
        rec_end(&b, at);
    }
    emit("perf_callchain_absurd.data", &b, b.n, "error", "too short");
    free(b.p);
    b = (buf){0};
    pipe_mode(&b, 2);
    u32(&b, 9); u16(&b, 0); u16(&b, 0); /* size 0 */
    u64(&b, 0);
    emit("perf_record_size_zero.data", &b, b.n, "error", "malformed");
    free(b.p);
    b = (buf){0};
    pipe_mode(&b, 2);
    {
        size_t at = rec_begin(&b, 71, 0); /* AUXTRACE claiming 1 TiB of data after it */
        u64(&b, (uint64_t)1 << 40);
        u64(&b, 0); u64(&b, 0); u32(&b, 0); u32(&b, 0); u32(&b, 0); u32(&b, 0);
        rec_end(&b, at);
    }
    emit("perf_auxtrace_absurd.data", &b, b.n, "error", "truncated|malformed");
    free(b.p);
    b = (buf){0};
    pipe_mode(&b, 2);
    {
        size_t at = rec_begin(&b, 1, 0); /* MMAP of 16 bytes */
        u64(&b, 0);
        rec_end(&b, at);
    }
    emit("perf_mmap_short.data", &b, b.n, "error", "short MMAP");
    free(b.p);
    b = (buf){0};
    pipe_mode(&b, 2);
    {
        size_t at = rec_begin(&b, 81, 0); /* COMPRESSED data that is not zstd */
        u64(&b, 0x1234567);
        rec_end(&b, at);
    }
    emit("perf_compressed_not_zstd.data", &b, b.n, "error", "zstd");
    free(b.p);
    b = (buf){0};
    pipe_mode(&b, 2);
    {
        size_t at = rec_begin(&b, 83, 0); /* COMPRESSED2 claiming more data than it holds */
        u64(&b, 4096);
        zstd_frame_header(&b);
        rec_end(&b, at);
    }
    emit("perf_compressed2_size.data", &b, b.n, "error", "exceeds the record");
    free(b.p);
    b = (buf){0};
    /* the compressed file cut inside a compressed record's data: its last
     * record is cut (and the record's size fixed) */
    {
        size_t last = 0, end = (size_t)(perf_data_off(&zfile) + perf_u64_at(&zfile, 48));
        for (size_t i = (size_t)perf_data_off(&zfile); i < end; i += (size_t)(zfile.p[i + 6] | zfile.p[i + 7] << 8))
            if (zfile.p[i] == 81)
                last = i;
        buf cut = {0};
        put(&cut, zfile.p, last + 40);
        cut.p[last + 6] = 40;
        cut.p[last + 7] = 0;
        set64(&cut, 48, last + 40 - perf_data_off(&zfile));
        emit("perf_compressed_truncated.data", &cut, cut.n, "error", "truncated compressed");
        free(cut.p);
    }
    /* a compressed record that decompresses to 2 MiB, more than the ring
     * buffer (feature COMPRESSED's mmap_len) perf decompresses into */
    g_compress = true;
    file_mode(&b, 2, 0);
    {
        size_t data_end = (size_t)perf_data_off(&b) + (size_t)perf_u64_at(&b, 48);
        buf tail = {0};
        put(&tail, b.p + data_end, b.n - data_end);
        b.n = data_end;
        size_t at = rec_begin(&b, 81, 0);
        static const uint8_t zero = 0;
        for (int i = 0; i < 16; i++)
            zstd_block(&b, 1, &zero, 1, 128 << 10); /* RLE: 128 KiB of zeros */
        rec_end_unpadded(&b, at);
        set64(&b, 48, b.n - perf_data_off(&b));
        size_t moved = b.n - data_end;
        size_t sec = b.n;
        put(&b, tail.p, tail.n);
        for (int k = 0; k < 2; k++) /* the feature sections moved */
            set64(&b, sec + 16 * (size_t)k, perf_u64_at(&b, sec + 16 * (size_t)k) + moved);
        free(tail.p);
    }
    emit("perf_compressed_absurd.data", &b, b.n, "error", "decompresses to more than");
    free(b.p);
    b = (buf){0};
    reset();
    free(zfile.p);
    pipe_mode(&b, 0);
    emit("perf_no_samples.data", &b, b.n, "error", "no samples");
    free(b.p);
    b = (buf){0};

    /* unsupported sample layouts */
    g_sample_type |= S_REGS_USER | S_STACK_USER;
    file_mode(&b, 5, 0);
    emit("perf_dwarf.data", &b, b.n, "error", "--call-graph=dwarf");
    free(b.p);
    b = (buf){0};
    reset();
    g_attrs = 2;
    file_mode(&b, 5, 0);
    emit("perf_two_events_no_ids.data", &b, b.n, "error", "sample ids");
    free(b.p);
    b = (buf){0};
    g_sample_type |= S_ID;
    file_mode(&b, 5, 0);
    /* the first sample's id (7) is changed to one no event has */
    for (size_t i = 104 + 2 * 144 + 16; i + 8 <= b.n; i += 8)
        if (memcmp(b.p + i, "\x09\0\0\0", 4) == 0) {
            set64(&b, i + 8 + 24, 99);
            break;
        }
    emit("perf_unknown_event_id.data", &b, b.n, "error", "unknown event id");
    free(b.p);
    reset();

    free(whole.p);
    free(pipe.p);
    if (fclose(g_manifest) != 0) {
        perror("cases.tsv");
        return 1;
    }
    return 0;
}
