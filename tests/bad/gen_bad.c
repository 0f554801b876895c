/* gen_bad.c: writes the crafted bad-input profiles of spec/robustness.md §6.1 (cases 1-45, 52-53) and a cases.tsv manifest into a directory. */

/*
 * Usage: gen_bad DIR
 *
 * Every file is named "<NN>[letter]_<short name>[.ext]", NN being the case
 * number of robustness.md §6.1; "00_baseline_valid.pb.gz" is a control that
 * every other profile case is derived from.  DIR/cases.tsv gets one line per
 * file: "<file>\t<expect>\t<keyword>", expect being "error" (exit 1 with a
 * one-line message) or "ok" (exit 0).  keyword is matched case-insensitively
 * against the message; "a|b" means either a or b; "-" (ok lines) means none.
 * The decompression bomb is the only file whose name contains "bomb".
 *
 * Choices where §6.1 leaves room: 6 trailing junk, 11 gzip inside gzip and
 * 22 field number 0 are errors; 8 huge gzip header fields are accepted (go
 * tool pprof rejects FNAME/FCOMMENT over 511 bytes, we do not); 36 dangling
 * mapping_id is accepted as "no mapping"; 37, 40, 41, 42, 43, 44, 45 are ok
 * (41 and 42 may warn on stderr).
 *
 * Case 16 (/dev/zero, /dev/urandom, a FIFO) is not a file; tests/bad/run.sh
 * runs it directly.  Only libc and zlib are used: profiles are written by the
 * small protobuf writer below, schema proto/profile.proto.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

/* ------------------------------------------------------------ output */

static const char *g_dir;
static FILE *g_manifest;
static int g_count;

static void die(const char *what)
{
    fprintf(stderr, "gen_bad: %s: %s\n", what, errno ? strerror(errno) : "failed");
    exit(1);
}

static char *path_of(const char *name)
{
    size_t n = strlen(g_dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p)
        die("out of memory");
    snprintf(p, n, "%s/%s", g_dir, name);
    return p;
}

static void manifest(const char *name, const char *expect, const char *keyword)
{
    if (fprintf(g_manifest, "%s\t%s\t%s\n", name, expect, keyword) < 0)
        die("write cases.tsv");
    g_count++;
}

static void put_file(const char *name, const void *data, size_t n, const char *expect,
                     const char *keyword)
{
    char *path = path_of(name);
    FILE *f = fopen(path, "wb");
    if (!f)
        die(path);
    if ((n && fwrite(data, 1, n, f) != n) || fclose(f) != 0)
        die(path);
    free(path);
    manifest(name, expect, keyword);
}

/* ------------------------------------------------------------ byte buffer + protobuf writer */

typedef struct {
    unsigned char *p;
    size_t n, cap;
} buf;

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

static void b_put(buf *b, const void *data, size_t n)
{
    if (n > SIZE_MAX - b->n)
        die("buffer overflow");
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p)
            die("out of memory");
        b->p = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->n, data, n);
    b->n += n;
}

static void b_byte(buf *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    b_put(b, &c, 1);
}

static void b_str(buf *b, const char *s) { b_put(b, s, strlen(s)); }

static void b_free(buf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

static void b_varint(buf *b, uint64_t v)
{
    while (v >= 0x80) {
        b_byte(b, (unsigned)(v & 0x7f) | 0x80);
        v >>= 7;
    }
    b_byte(b, (unsigned)v);
}

static void b_tag(buf *b, unsigned field, unsigned wt) { b_varint(b, ((uint64_t)field << 3) | wt); }

/* A varint field, written even when zero. Negative int64s go out as 10-byte varints. */
static void f_varint(buf *b, unsigned field, uint64_t v)
{
    b_tag(b, field, WT_VARINT);
    b_varint(b, v);
}

/* proto3 style: a zero scalar is simply absent. */
static void f_opt(buf *b, unsigned field, uint64_t v)
{
    if (v)
        f_varint(b, field, v);
}

static void f_bytes(buf *b, unsigned field, const void *data, size_t n)
{
    b_tag(b, field, WT_LEN);
    b_varint(b, n);
    b_put(b, data, n);
}

static void f_msg(buf *b, unsigned field, const buf *sub) { f_bytes(b, field, sub->p, sub->n); }

/* Repeated integers: packed when there are more than two, as pprof writes them. */
static void f_repeated(buf *b, unsigned field, const uint64_t *v, size_t n)
{
    if (n <= 2) {
        for (size_t i = 0; i < n; i++)
            f_varint(b, field, v[i]);
        return;
    }
    buf packed = {0};
    for (size_t i = 0; i < n; i++)
        b_varint(&packed, v[i]);
    f_msg(b, field, &packed);
    b_free(&packed);
}

/* ------------------------------------------------------------ profile model */

#define MAXN 8

typedef struct {
    int64_t type, unit;
} vt_t;

typedef struct {
    uint64_t loc[MAXN];
    size_t nloc;
    int64_t val[MAXN];
    size_t nval;
    int has_label;
    int64_t lkey, lstr, lnum, lunit;
} sample_t;

typedef struct {
    uint64_t id, start, limit, offset;
    int64_t file, build_id;
} mapping_t;

typedef struct {
    uint64_t id, mapping_id, address, fn;
    int64_t line;
} location_t;

typedef struct {
    uint64_t id;
    int64_t name, sysname, file, start_line;
} function_t;

typedef struct {
    const char *str[16];
    size_t str_len[16]; /* 0: strlen (set for strings with a NUL inside) */
    size_t nstr;
    vt_t type[MAXN];
    size_t ntype;
    sample_t sample[MAXN];
    size_t nsample;
    mapping_t map[MAXN];
    size_t nmap;
    location_t loc[MAXN];
    size_t nloc;
    function_t fn[MAXN];
    size_t nfn;
    int64_t time_nanos, duration_nanos, period, default_sample_type;
    vt_t period_type;
    size_t locs_first; /* this many locations are written before the samples */
    int fns_first;     /* the functions are written before the locations */
} prof_t;

/* String indexes of the baseline string table. */
enum { S_EMPTY, S_SAMPLES, S_COUNT, S_CPU, S_NS, S_MAIN, S_FOO, S_SRC, S_BIN, S_THREAD, S_WORKER, S_N };

static const char *const BASE_STR[S_N] = {
    "", "samples", "count", "cpu", "nanoseconds", "main", "foo", "/src/main.c", "/bin/prog",
    "thread", "worker",
};

/* A small valid CPU-like profile: main -> foo, two samples (10 and 5), one mapping. */
static void base(prof_t *p)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < S_N; i++)
        p->str[i] = BASE_STR[i];
    p->nstr = S_N;
    p->type[0] = (vt_t){S_SAMPLES, S_COUNT};
    p->ntype = 1;
    p->sample[0] = (sample_t){.loc = {1, 2}, .nloc = 2, .val = {10}, .nval = 1};
    p->sample[1] = (sample_t){.loc = {2}, .nloc = 1, .val = {5}, .nval = 1};
    p->nsample = 2;
    p->map[0] = (mapping_t){.id = 1, .start = 0x400000, .limit = 0x500000, .file = S_BIN};
    p->nmap = 1;
    p->loc[0] = (location_t){.id = 1, .mapping_id = 1, .address = 0x401000, .fn = 2, .line = 12};
    p->loc[1] = (location_t){.id = 2, .mapping_id = 1, .address = 0x402000, .fn = 1, .line = 3};
    p->nloc = 2;
    p->fn[0] = (function_t){.id = 1, .name = S_MAIN, .sysname = S_MAIN, .file = S_SRC, .start_line = 1};
    p->fn[1] = (function_t){.id = 2, .name = S_FOO, .sysname = S_FOO, .file = S_SRC, .start_line = 10};
    p->nfn = 2;
    p->time_nanos = 1700000000000000000;
    p->duration_nanos = 1000000000;
    p->period_type = (vt_t){S_CPU, S_NS};
    p->period = 10000000;
}

static void enc_vt(buf *b, unsigned field, vt_t v)
{
    buf m = {0};
    f_opt(&m, 1, (uint64_t)v.type);
    f_opt(&m, 2, (uint64_t)v.unit);
    f_msg(b, field, &m);
    b_free(&m);
}

static void enc_sample(buf *b, const sample_t *s)
{
    buf m = {0};
    uint64_t v[MAXN];
    f_repeated(&m, 1, s->loc, s->nloc);
    for (size_t i = 0; i < s->nval; i++)
        v[i] = (uint64_t)s->val[i];
    f_repeated(&m, 2, v, s->nval);
    if (s->has_label) {
        buf l = {0};
        f_opt(&l, 1, (uint64_t)s->lkey);
        f_opt(&l, 2, (uint64_t)s->lstr);
        f_opt(&l, 3, (uint64_t)s->lnum);
        f_opt(&l, 4, (uint64_t)s->lunit);
        f_msg(&m, 3, &l);
        b_free(&l);
    }
    f_msg(b, 2, &m);
    b_free(&m);
}

static void enc_mapping(buf *b, const mapping_t *x)
{
    buf m = {0};
    f_opt(&m, 1, x->id);
    f_opt(&m, 2, x->start);
    f_opt(&m, 3, x->limit);
    f_opt(&m, 4, x->offset);
    f_opt(&m, 5, (uint64_t)x->file);
    f_opt(&m, 6, (uint64_t)x->build_id);
    f_varint(&m, 7, 1); /* has_functions */
    f_msg(b, 3, &m);
    b_free(&m);
}

static void enc_location(buf *b, const location_t *x)
{
    buf m = {0}, line = {0};
    f_opt(&m, 1, x->id);
    f_opt(&m, 2, x->mapping_id);
    f_opt(&m, 3, x->address);
    f_opt(&line, 1, x->fn);
    f_opt(&line, 2, (uint64_t)x->line);
    f_msg(&m, 4, &line);
    f_msg(b, 4, &m);
    b_free(&line);
    b_free(&m);
}

static void enc_function(buf *b, const function_t *x)
{
    buf m = {0};
    f_opt(&m, 1, x->id);
    f_opt(&m, 2, (uint64_t)x->name);
    f_opt(&m, 3, (uint64_t)x->sysname);
    f_opt(&m, 4, (uint64_t)x->file);
    f_opt(&m, 5, (uint64_t)x->start_line);
    f_msg(b, 5, &m);
    b_free(&m);
}

/* Field order 1,2,3,4,5,9,10,11,12,14 and the string table (6) last, so that
 * cutting a few bytes off the end always lands inside a string. */
static void encode(const prof_t *p, buf *b)
{
    for (size_t i = 0; i < p->ntype; i++)
        enc_vt(b, 1, p->type[i]);
    for (size_t i = 0; p->fns_first && i < p->nfn; i++)
        enc_function(b, &p->fn[i]);
    for (size_t i = 0; i < p->locs_first && i < p->nloc; i++)
        enc_location(b, &p->loc[i]);
    for (size_t i = 0; i < p->nsample; i++)
        enc_sample(b, &p->sample[i]);
    for (size_t i = 0; i < p->nmap; i++)
        enc_mapping(b, &p->map[i]);
    for (size_t i = p->locs_first; i < p->nloc; i++)
        enc_location(b, &p->loc[i]);
    for (size_t i = 0; !p->fns_first && i < p->nfn; i++)
        enc_function(b, &p->fn[i]);
    f_opt(b, 9, (uint64_t)p->time_nanos);
    f_opt(b, 10, (uint64_t)p->duration_nanos);
    if (p->period_type.type || p->period_type.unit)
        enc_vt(b, 11, p->period_type);
    f_opt(b, 12, (uint64_t)p->period);
    f_opt(b, 14, (uint64_t)p->default_sample_type);
    for (size_t i = 0; i < p->nstr; i++)
        f_bytes(b, 6, p->str[i], p->str_len[i] ? p->str_len[i] : strlen(p->str[i]));
}

/* ------------------------------------------------------------ gzip */

typedef struct {
    size_t extra_len;   /* FEXTRA payload size, 0 = no FEXTRA */
    size_t name_len;    /* FNAME length, 0 = no FNAME */
    size_t comment_len; /* FCOMMENT length, 0 = no FCOMMENT */
} gzhdr;

static void put_le32(buf *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b_byte(b, (v >> (8 * i)) & 0xff);
}

/* One gzip member: hand-written header (optionally with big FEXTRA/FNAME/FCOMMENT),
 * raw deflate at level 9, CRC32 and ISIZE trailer. mtime is 0, so output is reproducible. */
static void gzip_member(buf *out, const unsigned char *raw, size_t n, const gzhdr *h)
{
    gzhdr none = {0};
    if (!h)
        h = &none;
    unsigned flags = (h->extra_len ? 4u : 0u) | (h->name_len ? 8u : 0u) | (h->comment_len ? 16u : 0u);
    const unsigned char hdr[10] = {0x1f, 0x8b, 8, (unsigned char)flags, 0, 0, 0, 0, 2, 3};
    b_put(out, hdr, sizeof hdr);
    if (h->extra_len) {
        /* Subfields of 'X','Y' with the largest lengths that fit. */
        size_t left = h->extra_len;
        b_byte(out, left & 0xff);
        b_byte(out, (left >> 8) & 0xff);
        while (left >= 4) {
            size_t sub = left - 4 > 0xffff ? 0xffff : left - 4;
            b_byte(out, 'X');
            b_byte(out, 'Y');
            b_byte(out, sub & 0xff);
            b_byte(out, (sub >> 8) & 0xff);
            for (size_t i = 0; i < sub; i++)
                b_byte(out, 'e');
            left -= 4 + sub;
        }
        for (; left; left--)
            b_byte(out, 0);
    }
    if (h->name_len) {
        for (size_t i = 0; i < h->name_len; i++)
            b_byte(out, 'a' + (unsigned)(i % 26));
        b_byte(out, 0);
    }
    if (h->comment_len) {
        for (size_t i = 0; i < h->comment_len; i++)
            b_byte(out, (i % 64 == 63) ? '\n' : 'c');
        b_byte(out, 0);
    }

    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        die("deflateInit2");
    uLong bound = deflateBound(&z, (uLong)n);
    size_t at = out->n;
    b_put(out, NULL, 0);
    for (uLong i = 0; i < bound; i++)
        b_byte(out, 0);
    z.next_in = (Bytef *)(uintptr_t)raw;
    z.avail_in = (uInt)n;
    z.next_out = out->p + at;
    z.avail_out = (uInt)bound;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        die("deflate");
    out->n = at + z.total_out;
    deflateEnd(&z);
    put_le32(out, (uint32_t)crc32(0L, raw, (uInt)n));
    put_le32(out, (uint32_t)n);
}

static void gzip_buf(buf *out, const buf *raw) { gzip_member(out, raw->p, raw->n, NULL); }

/* ------------------------------------------------------------ case helpers */

/* Writes prof (plus optional raw bytes appended to the encoding) gzipped. */
static void emit_prof(const char *name, const prof_t *p, const buf *tail, const char *expect,
                      const char *keyword)
{
    buf raw = {0}, gz = {0};
    encode(p, &raw);
    if (tail)
        b_put(&raw, tail->p, tail->n);
    gzip_buf(&gz, &raw);
    put_file(name, gz.p, gz.n, expect, keyword);
    b_free(&raw);
    b_free(&gz);
}

/* The baseline profile followed by some hand-made raw bytes, gzipped. */
static void emit_base_tail(const char *name, const unsigned char *tail, size_t n, const char *expect,
                           const char *keyword)
{
    prof_t p;
    buf t = {0};
    base(&p);
    b_put(&t, tail, n);
    emit_prof(name, &p, &t, expect, keyword);
    b_free(&t);
}

static void base_raw(buf *raw)
{
    prof_t p;
    base(&p);
    encode(&p, raw);
}

/* ------------------------------------------------------------ container and compression (1-16) */

/* 10: about 1 MB of gzip that inflates to 1 GiB of zeros, streamed straight to disk. */
static void zeros_gz(const char *name, const buf *prefix, int mib);

static void bomb_case(void)
{
    zeros_gz("10_bomb_1GiB_zeros.pb.gz", NULL, 1024);
    manifest("10_bomb_1GiB_zeros.pb.gz", "error", "limit|unrecognized"); /* refused from its first bytes, before inflating */

    /* 10b: a valid profile.proto head, a byte no protobuf has (wire type 7),
     * then 256 MiB of zeros: once the protobuf reader stops, the text and
     * legacy readers must not inflate it all again (their sniff of the
     * first bytes says binary). run.sh runs it under a memory limit. */
    buf pre = {0};
    base_raw(&pre);
    b_byte(&pre, 0x0f);
    zeros_gz("10b_proto_head_then_256MiB_zeros.pb.gz", &pre, 256);
    b_free(&pre);
    manifest("10b_proto_head_then_256MiB_zeros.pb.gz", "error", "unrecognized|wire");
}

/* Writes name: gzip of prefix (optional) then mib MiB of zeros, streamed. */
static void zeros_gz(const char *name, const buf *prefix, int mib)
{
    static unsigned char zeros[1 << 20], out[1 << 16];
    char *path = path_of(name);
    FILE *f = fopen(path, "wb");
    if (!f)
        die(path);
    z_stream z;
    memset(&z, 0, sizeof z);
    /* Z_RLE finds the same distance-1 matches as level 9, several times faster. */
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_RLE) != Z_OK)
        die("deflateInit2");
    for (int i = prefix ? -1 : 0; i < mib; i++) {
        int flush = i == mib - 1 ? Z_FINISH : Z_NO_FLUSH;
        z.next_in = i < 0 ? prefix->p : zeros;
        z.avail_in = i < 0 ? (uInt)prefix->n : sizeof zeros;
        int rc;
        do {
            z.next_out = out;
            z.avail_out = sizeof out;
            rc = deflate(&z, flush);
            if (rc == Z_STREAM_ERROR)
                die("deflate");
            size_t have = sizeof out - z.avail_out;
            if (have && fwrite(out, 1, have, f) != have)
                die(path);
        } while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    }
    deflateEnd(&z);
    if (fclose(f) != 0)
        die(path);
    free(path);
}


static void container_cases(void)
{
    buf raw = {0}, gz = {0}, t = {0};
    base_raw(&raw);
    gzip_buf(&gz, &raw);

    put_file("00_baseline_valid.pb.gz", gz.p, gz.n, "ok", "-");
    put_file("01_empty_file", "", 0, "error", "empty");
    put_file("02_gzip_magic_only", "\x1f\x8b", 2, "error", "truncated");
    put_file("03_gzip_cut_in_half.pb.gz", gz.p, gz.n / 2, "error", "truncated");

    b_put(&t, gz.p, gz.n);
    t.p[t.n - 8] ^= 0xff; /* CRC32 */
    put_file("04_gzip_bad_crc.pb.gz", t.p, t.n, "error", "checksum");
    t.p[t.n - 8] ^= 0xff;
    t.p[t.n - 4] ^= 0x01; /* ISIZE */
    put_file("05_gzip_bad_isize.pb.gz", t.p, t.n, "error", "length");
    b_free(&t);

    b_put(&t, gz.p, gz.n);
    b_str(&t, "garbage after the gzip member\n");
    put_file("06_gzip_trailing_junk.pb.gz", t.p, t.n, "error", "trailing");
    b_free(&t);

    b_put(&t, gz.p, gz.n);
    b_put(&t, gz.p, gz.n);
    put_file("07_gzip_two_members.pb.gz", t.p, t.n, "error", "concatenated");
    b_free(&t);

    /* Big optional header fields must be skipped (CVE-2022-37434 class), not rejected. */
    gzip_member(&t, raw.p, raw.n, &(gzhdr){.extra_len = 0xffff});
    put_file("08a_gzip_huge_fextra.pb.gz", t.p, t.n, "ok", "-");
    b_free(&t);
    gzip_member(&t, raw.p, raw.n, &(gzhdr){.name_len = 1 << 20});
    put_file("08b_gzip_huge_fname.pb.gz", t.p, t.n, "ok", "-");
    b_free(&t);
    gzip_member(&t, raw.p, raw.n, &(gzhdr){.extra_len = 0xffff, .name_len = 1 << 20, .comment_len = 1 << 20});
    put_file("08c_gzip_huge_all_headers.pb.gz", t.p, t.n, "ok", "-");
    b_free(&t);

    gzip_member(&t, (const unsigned char *)"", 0, NULL);
    put_file("09_gzip_empty_payload.pb.gz", t.p, t.n, "error", "empty");
    b_free(&t);

    bomb_case(); /* 10 */

    /* One gzip layer is supported; the inner gzip is not a protobuf. */
    gzip_buf(&t, &gz);
    put_file("11_gzip_of_gzip.pb.gz", t.p, t.n, "error", "gzip");
    b_free(&t);

    /* Deterministic "random" bytes (xorshift64), never starting with the gzip magic. */
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 512; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b_byte(&t, (unsigned)(x >> 56));
    }
    t.p[0] = 0x7f; /* field 15, wire type 7: invalid at the very first byte */
    put_file("12_random_bytes.bin", t.p, t.n, "error", "unrecognized|not a");
    b_free(&t);

    b_str(&t, "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n"
              "<body><form method=\"post\" action=\"/login\"><input name=\"user\">"
              "<input type=\"password\" name=\"pass\"></form></body></html>\n");
    put_file("13a_html_login_page.html", t.p, t.n, "error", "html");
    b_free(&t);
    b_str(&t, "Service Unavailable\nThe server is temporarily unable to service your request.\n");
    put_file("13b_plain_text.txt", t.p, t.n, "error", "unrecognized|not a");
    b_free(&t);

    put_file("14_raw_uncompressed.pb", raw.p, raw.n, "ok", "-");

    uLongf zn = compressBound((uLong)raw.n);
    unsigned char *z = malloc(zn);
    if (!z || compress2(z, &zn, raw.p, (uLong)raw.n, 9) != Z_OK)
        die("compress2");
    put_file("15a_zlib_wrapped.pb.z", z, zn, "error", "compress");
    free(z);

    /* A real zstd frame holding one raw (stored) block: zstd -d accepts it. */
    if (raw.n >= 256 + 65536)
        die("baseline too big for the zstd frame");
    b_put(&t, "\x28\xb5\x2f\xfd", 4);
    if (raw.n < 256) {
        b_byte(&t, 0x20); /* single segment, 1-byte content size */
        b_byte(&t, (unsigned)raw.n);
    } else {
        b_byte(&t, 0x60); /* single segment, 2-byte content size (minus 256) */
        b_byte(&t, (unsigned)((raw.n - 256) & 0xff));
        b_byte(&t, (unsigned)((raw.n - 256) >> 8));
    }
    uint32_t bh = (uint32_t)(raw.n << 3) | 1u; /* last block, raw, size */
    b_byte(&t, bh & 0xff);
    b_byte(&t, (bh >> 8) & 0xff);
    b_byte(&t, (bh >> 16) & 0xff);
    b_put(&t, raw.p, raw.n);
    put_file("15b_zstd_frame.pb.zst", t.p, t.n, "error", "compress");
    b_free(&t);

    /* 16 (/dev/zero, /dev/urandom, FIFO) is not a file: run.sh runs those directly. */

    b_free(&raw);
    b_free(&gz);
}

/* ------------------------------------------------------------ protobuf wire format (17-26) */

static void wire_cases(void)
{
    buf t = {0};

    /* period (field 12) with an 11-byte varint, then with one that runs off the end. */
    b_byte(&t, 12 << 3);
    for (int i = 0; i < 10; i++)
        b_byte(&t, 0xff);
    b_byte(&t, 0x01);
    emit_base_tail("17a_varint_11_bytes.pb.gz", t.p, t.n, "error", "varint");
    b_free(&t);
    emit_base_tail("17b_varint_unterminated.pb.gz", (const unsigned char *)"\x60\xff\xff\xff", 4,
                   "error", "varint");

    /* location (field 4) declaring 100 bytes, 10 present. */
    b_tag(&t, 4, WT_LEN);
    b_varint(&t, 100);
    b_put(&t, "\x08\x03\x18\x05\x08\x03\x18\x05\x08\x03", 10);
    emit_base_tail("18_len_exceeds_data.pb.gz", t.p, t.n, "error", "length");
    b_free(&t);

    /* 2^32 + 4: a decoder keeping lengths in 32 bits sees 4 and a valid location {id 3, address 5}. */
    b_tag(&t, 4, WT_LEN);
    b_varint(&t, (UINT64_C(1) << 32) + 4);
    b_put(&t, "\x08\x03\x18\x05", 4);
    emit_base_tail("19a_len_2pow32_plus_4.pb.gz", t.p, t.n, "error", "length");
    b_free(&t);
    b_tag(&t, 4, WT_LEN);
    b_varint(&t, UINT64_MAX);
    b_put(&t, "\x08\x03\x18\x05", 4);
    emit_base_tail("19b_len_uint64_max.pb.gz", t.p, t.n, "error", "length");
    b_free(&t);
    /* 2^64 - 16: position + length wraps to 16 bytes *before* the position. */
    b_tag(&t, 4, WT_LEN);
    b_varint(&t, UINT64_MAX - 15);
    b_put(&t, "\x08\x03\x18\x05", 4);
    emit_base_tail("19c_len_wraps_backwards.pb.gz", t.p, t.n, "error", "length");
    b_free(&t);

    /* sample (field 2) with wire types 3 (start group), 4 (end group), 6 and 7. */
    static const unsigned wts[4] = {3, 4, 6, 7};
    static const char *const wt_names[4] = {
        "20a_wire_type_3_group_start.pb.gz", "20b_wire_type_4_group_end.pb.gz",
        "20c_wire_type_6.pb.gz", "20d_wire_type_7.pb.gz",
    };
    for (int i = 0; i < 4; i++) {
        unsigned char tail[3] = {(unsigned char)((2 << 3) | wts[i]), 0x08, 0x01};
        emit_base_tail(wt_names[i], tail, sizeof tail, "error", "wire type");
    }

    /* sample_type (field 1, a message) sent as a varint. */
    emit_base_tail("21_wire_type_mismatch.pb.gz", (const unsigned char *)"\x08\x01", 2, "error",
                   "wire type");

    /* Tag 0x00: field number 0, wire type 0, value 0. */
    emit_base_tail("22_field_number_zero.pb.gz", (const unsigned char *)"\x00\x00", 2, "error",
                   "field|tag");

    /* 2,000,000 unknown fields (numbers 100-103) of all four wire types: about 11 MB raw. */
    for (int i = 0; i < 500000; i++) {
        f_varint(&t, 100, 0);
        b_tag(&t, 101, WT_LEN);
        b_varint(&t, 0);
        b_tag(&t, 102, WT_I32);
        b_put(&t, "\x01\x02\x03\x04", 4);
        b_tag(&t, 103, WT_I64);
        b_put(&t, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    }
    emit_base_tail("23_many_unknown_fields.pb.gz", t.p, t.n, "ok", "-");
    b_free(&t);

    /* location_id and value, packed and unpacked, mixed inside the same samples. */
    {
        prof_t p;
        base(&p);
        p.nsample = 0;
        buf s = {0};
        f_bytes(&s, 1, "\x01", 1); /* packed [1] */
        f_varint(&s, 1, 2);        /* unpacked 2 */
        f_bytes(&s, 2, "\x0a", 1); /* packed [10] */
        f_msg(&t, 2, &s);
        b_free(&s);
        f_varint(&s, 1, 2);        /* unpacked location 2 */
        f_varint(&s, 2, 5);        /* unpacked value 5 */
        f_msg(&t, 2, &s);
        b_free(&s);
        f_bytes(&s, 1, "\x01", 1); /* two packed runs: [1] [2] */
        f_bytes(&s, 1, "\x02", 1);
        f_varint(&s, 2, 3);
        f_msg(&t, 2, &s);
        b_free(&s);
        emit_prof("24_packed_unpacked_mixed.pb.gz", &p, &t, "ok", "-");
        b_free(&t);
    }

    /* Packed location_id of 2 bytes {0x01, 0x82}: the second varint continues past the field. */
    {
        buf s = {0};
        f_bytes(&s, 1, "\x01\x82", 2);
        f_varint(&s, 2, 7);
        f_msg(&t, 2, &s);
        b_free(&s);
        emit_base_tail("25_packed_ends_mid_varint.pb.gz", t.p, t.n, "error", "varint");
        b_free(&t);
    }

    /* A valid gzip member around the baseline minus its last 3 bytes, i.e. cut inside the last string "worker". */
    {
        buf raw = {0}, gz = {0};
        base_raw(&raw);
        raw.n -= 3;
        gzip_buf(&gz, &raw);
        put_file("26_gzip_truncated_protobuf.pb.gz", gz.p, gz.n, "error", "truncated|length");
        b_free(&raw);
        b_free(&gz);
    }
}

/* ------------------------------------------------------------ profile semantics (27-45) */

static void semantic_cases(void)
{
    prof_t p;
    buf t = {0};

    base(&p);
    p.str[0] = "x";
    emit_prof("27_string_table0_nonempty.pb.gz", &p, NULL, "error", "string_table[0]");

    base(&p);
    p.nstr = 0;
    emit_prof("28_no_string_table.pb.gz", &p, NULL, "error", "string");

    base(&p);
    p.fn[0].name = 999;
    emit_prof("29a_string_index_999_function_name.pb.gz", &p, NULL, "error", "string index");
    base(&p);
    p.type[0].unit = 4000000000;
    emit_prof("29b_string_index_4e9_sample_type_unit.pb.gz", &p, NULL, "error", "string index");
    base(&p);
    p.sample[0].has_label = 1;
    p.sample[0].lkey = S_THREAD;
    p.sample[0].lstr = 1000;
    emit_prof("29c_string_index_1000_label_str.pb.gz", &p, NULL, "error", "string index");

    base(&p);
    p.fn[0].name = -1;
    emit_prof("30a_string_index_minus1.pb.gz", &p, NULL, "error", "string index");
    base(&p);
    p.fn[0].name = INT64_C(1) << 31;
    emit_prof("30b_string_index_2pow31.pb.gz", &p, NULL, "error", "string index");
    base(&p);
    p.fn[0].name = (INT64_C(1) << 32) + S_MAIN; /* truncated to 32 bits it is a valid index */
    emit_prof("30c_string_index_2pow32_plus_5.pb.gz", &p, NULL, "error", "string index");

    /* Extra, unreferenced objects with id 0 (a referenced id 0 would be a dangling reference). */
    base(&p);
    p.loc[p.nloc++] = (location_t){.id = 0, .mapping_id = 1, .address = 0x403000, .fn = 1, .line = 4};
    emit_prof("31_location_id_zero.pb.gz", &p, NULL, "error", "reserved|id 0");
    base(&p);
    p.fn[p.nfn++] = (function_t){.id = 0, .name = S_WORKER, .file = S_SRC};
    emit_prof("32a_function_id_zero.pb.gz", &p, NULL, "error", "reserved|id 0");
    base(&p);
    p.map[p.nmap++] = (mapping_t){.id = 0, .start = 0x600000, .limit = 0x700000, .file = S_BIN};
    emit_prof("32b_mapping_id_zero.pb.gz", &p, NULL, "error", "reserved|id 0");
    base(&p);
    p.loc[0].fn = 0;
    emit_prof("32c_line_function_id_zero.pb.gz", &p, NULL, "error", "function");

    /* Duplicates that are all referenced, so nothing dangles. */
    base(&p);
    p.loc[p.nloc++] = (location_t){.id = 1, .mapping_id = 1, .address = 0x403000, .fn = 1, .line = 4};
    emit_prof("33a_duplicate_location_id.pb.gz", &p, NULL, "error", "duplicate|same id");
    base(&p);
    p.fn[p.nfn++] = (function_t){.id = 1, .name = S_WORKER, .file = S_SRC};
    emit_prof("33b_duplicate_function_id.pb.gz", &p, NULL, "error", "duplicate|same id");
    base(&p);
    p.map[p.nmap++] = (mapping_t){.id = 1, .start = 0x600000, .limit = 0x700000, .file = S_BIN};
    emit_prof("33c_duplicate_mapping_id.pb.gz", &p, NULL, "error", "duplicate|same id");

    base(&p);
    p.sample[1].loc[0] = 99;
    emit_prof("34_sample_unknown_location.pb.gz", &p, NULL, "error", "location");
    base(&p);
    p.loc[0].fn = 99;
    emit_prof("35_line_unknown_function.pb.gz", &p, NULL, "error", "function");
    base(&p);
    p.loc[0].mapping_id = 99;
    emit_prof("36_location_unknown_mapping.pb.gz", &p, NULL, "warn", "mapping_id");

    base(&p);
    p.map[0].id = UINT64_MAX;
    p.loc[0].id = UINT64_MAX;
    p.loc[1].id = UINT64_MAX - 1;
    p.loc[0].mapping_id = p.loc[1].mapping_id = UINT64_MAX;
    p.fn[0].id = UINT64_MAX;
    p.fn[1].id = UINT64_MAX - 1;
    p.loc[0].fn = UINT64_MAX - 1;
    p.loc[1].fn = UINT64_MAX;
    p.sample[0].loc[0] = UINT64_MAX;
    p.sample[0].loc[1] = UINT64_MAX - 1;
    p.sample[1].loc[0] = UINT64_MAX - 1;
    emit_prof("37a_ids_uint64_max.pb.gz", &p, NULL, "ok", "-");
    base(&p);
    p.map[0].id = 1000000;
    p.loc[0].id = 3;
    p.loc[1].id = UINT64_C(1000000000000);
    p.loc[0].mapping_id = p.loc[1].mapping_id = 1000000;
    p.fn[0].id = 7;
    p.fn[1].id = UINT64_C(1) << 40;
    p.loc[0].fn = UINT64_C(1) << 40;
    p.loc[1].fn = 7;
    p.sample[0].loc[0] = 3;
    p.sample[0].loc[1] = UINT64_C(1000000000000);
    p.sample[1].loc[0] = UINT64_C(1000000000000);
    emit_prof("37b_sparse_ids.pb.gz", &p, NULL, "ok", "-");

    base(&p);
    p.sample[0].val[1] = 3;
    p.sample[0].nval = 2;
    emit_prof("38_value_count_mismatch.pb.gz", &p, NULL, "error", "values");

    base(&p);
    p.ntype = 0;
    emit_prof("39_no_sample_type.pb.gz", &p, NULL, "error", "sample type");

    /* 10,000 sample types "type0".."type9999" (strings appended after the baseline table), two samples. */
    {
        enum { NT = 10000 };
        static uint64_t vals[NT];
        char name[32];
        base(&p);
        p.ntype = 0;
        p.nsample = 0;
        for (int i = 0; i < NT; i++)
            enc_vt(&t, 1, (vt_t){(int64_t)S_N + i, S_COUNT});
        for (int s = 0; s < 2; s++) {
            buf m = {0};
            uint64_t locs[2] = {1, 2};
            f_repeated(&m, 1, locs + s, 2 - (size_t)s);
            for (int i = 0; i < NT; i++)
                vals[i] = (uint64_t)(i + 1 + s);
            f_repeated(&m, 2, vals, NT);
            f_msg(&t, 2, &m);
            b_free(&m);
        }
        for (int i = 0; i < NT; i++) {
            snprintf(name, sizeof name, "type%d", i);
            f_bytes(&t, 6, name, strlen(name));
        }
        emit_prof("40_10000_sample_types.pb.gz", &p, &t, "ok", "-");
        b_free(&t);
    }

    base(&p);
    p.default_sample_type = S_WORKER; /* a string, but not the name of any sample type */
    emit_prof("41_default_sample_type_missing.pb.gz", &p, NULL, "warn", "default_sample_type");

    base(&p);
    p.sample[0].val[0] = INT64_MAX;
    p.sample[1].val[0] = INT64_MIN;
    emit_prof("42a_values_int64_min_max.pb.gz", &p, NULL, "warn", "overflow");
    base(&p);
    p.sample[1] = p.sample[0];
    p.sample[2] = p.sample[0];
    p.sample[3] = p.sample[0];
    p.nsample = 4;
    for (int i = 0; i < 4; i++)
        p.sample[i].val[0] = INT64_C(1) << 62;
    emit_prof("42b_sum_overflow_4x2pow62.pb.gz", &p, NULL, "warn", "overflow");
    /* Two nodes whose flat values each fit but whose sum does not: the
     * header's "accounting for" sum saturates (fuzz_perfsym found it
     * wrapping in -top and -tree). */
    base(&p);
    p.sample[0] = (sample_t){.loc = {1}, .nloc = 1, .val = {INT64_C(3) << 61}, .nval = 1};
    p.sample[1] = (sample_t){.loc = {2}, .nloc = 1, .val = {INT64_C(3) << 61}, .nval = 1};
    emit_prof("42d_flat_sum_overflow.pb.gz", &p, NULL, "warn", "overflow");
    /* A total in seconds past int64 nanoseconds: the header's share of the
     * duration (fuzz_perfsym found the conversion undefined). */
    base(&p);
    p.str[S_N] = "seconds";
    p.nstr = S_N + 1;
    p.type[0] = (vt_t){S_CPU, S_N};
    p.sample[0].val[0] = INT64_C(1) << 60;
    emit_prof("42c_total_seconds_past_int64_ns.pb.gz", &p, NULL, "ok", "-");

    base(&p);
    p.nsample = 0;
    emit_prof("43a_no_samples.pb.gz", &p, NULL, "ok", "-");
    base(&p);
    p.sample[0].val[0] = 0;
    p.sample[1].val[0] = 0;
    emit_prof("43b_all_values_zero.pb.gz", &p, NULL, "ok", "-");

    base(&p);
    p.sample[0].val[0] = -10;
    p.sample[1].val[0] = 4;
    emit_prof("44_negative_values.pb.gz", &p, NULL, "ok", "-");

    base(&p);
    p.sample[p.nsample++] = (sample_t){.nloc = 0, .val = {7}, .nval = 1};
    emit_prof("45_sample_no_locations.pb.gz", &p, NULL, "ok", "-");
}

/* ------------------------------------------------------------ call-graph names (52, 53) */

/* Strings that try to leave a DOT string or give Graphviz escapes a
 * meaning. tests/graph/run.sh draws each of these profiles and checks that
 * nothing became an attribute. */
static void dot_cases(void)
{
    static const char breakout[] = "x\" URL=\"javascript:alert(document.domain)\" target=\"_self\" tooltip=\"y";
    prof_t p;

    base(&p);
    p.str[S_FOO] = breakout;
    emit_prof("52a_dot_breakout_function_name.pb.gz", &p, NULL, "ok", "-");

    base(&p);
    p.str[S_SRC] = "src/x\" URL=\"javascript:alert(1)\" z=\"";
    emit_prof("52b_dot_breakout_file_name.pb.gz", &p, NULL, "ok", "-");

    base(&p);
    p.str[S_WORKER] = breakout;
    p.sample[0].has_label = 1;
    p.sample[0].lkey = S_THREAD;
    p.sample[0].lstr = S_WORKER;
    emit_prof("52c_dot_breakout_label_value.pb.gz", &p, NULL, "ok", "-");

    base(&p);
    p.str[S_FOO] = "esc\\N\\G\\T\\H\\E\\L\\l\\n\\r line\nbreak \\\"";
    p.str[S_MAIN] = "trailing\\";
    emit_prof("52d_dot_graphviz_escapes.pb.gz", &p, NULL, "ok", "-");

    base(&p);
    p.str[S_BIN] = "/bin/x\" URL=\"javascript:alert(1)\" a=\"\\";
    emit_prof("52e_dot_breakout_binary_name.pb.gz", &p, NULL, "ok", "-");

    base(&p);
    p.str[S_WORKER] = "bytes";
    p.str[S_THREAD] = "B\" URL=\"javascript:alert(1)";
    p.sample[0].has_label = 1;
    p.sample[0].lkey = S_WORKER;
    p.sample[0].lnum = 2048;
    p.sample[0].lunit = S_THREAD;
    emit_prof("52f_dot_breakout_label_unit.pb.gz", &p, NULL, "ok", "-");

    base(&p);
    p.str[S_FOO] = "fo\0o\" URL=\"javascript:alert(1)";
    p.str_len[S_FOO] = 30;
    emit_prof("53a_dot_nul_in_name.pb.gz", &p, NULL, "ok", "-");

    /* ESC, BEL, BS, DEL, a C1 control, a bidi override, a stray byte. */
    base(&p);
    p.str[S_FOO] = "ctl\x1b[31m\x07\x08\x7f\xc2\x85\xe2\x80\xae\xff.end";
    emit_prof("53b_dot_controls_in_name.pb.gz", &p, NULL, "ok", "-");
}

/* ------------------------------------------------------------ terminal text (48, 50, 62) */

/* Strings that would drive a terminal: OSC title set, screen clear, CR/BS
 * overwrites, DEL, C1 CSI and NEL, bidi override and isolate, a stray byte;
 * in every place a text report prints (names, files, binary, build id,
 * label keys and values, comments, doc URL). run.sh prints every text report
 * of it and checks that none of these bytes come out raw. */
static void terminal_cases(void)
{
    prof_t p;
    buf t = {0};
    enum { S_BID = S_N, S_COMMENT, S_DOC };

    base(&p);
    p.str[S_FOO] = "foo\x1b]0;pwned\x07\x1b[2J\r\b\x7f\xc2\x9b\xe2\x80\xae\xff.end";
    p.str[S_MAIN] = "main\xe2\x81\xa6\xc2\x85\xd8\x9c\xe2\x80\x8f;semi\nline";
    p.str[S_SRC] = "/src/\x1b[31mred.c";
    p.str[S_BIN] = "/bin/\x1b]2;t\x07prog";
    p.str[S_THREAD] = "thr\x1b[Kead";
    p.str[S_WORKER] = "w\xe2\x81\xa6orker\x9b";
    p.str[S_BID] = "bid\x1b[K";
    p.str[S_COMMENT] = "comment \x1b[2J\xc2\x85";
    p.str[S_DOC] = "http://x/\x1b]8;;evil\x07";
    p.nstr = S_DOC + 1;
    p.map[0].build_id = S_BID;
    p.sample[0].has_label = 1;
    p.sample[0].lkey = S_THREAD;
    p.sample[0].lstr = S_WORKER;
    f_varint(&t, 13, S_COMMENT);
    f_varint(&t, 15, S_DOC);
    emit_prof("50_terminal_controls_everywhere.pb.gz", &p, &t, "ok", "-");
    b_free(&t);

    /* 56: a drop_frames regexp that does not compile: ignored, with a warning. */
    base(&p);
    p.str[S_N] = "(";
    p.nstr = S_N + 1;
    f_varint(&t, 7, S_N);
    emit_prof("56a_drop_frames_invalid_regexp.pb.gz", &p, &t, "warn", "drop_frames");
    b_free(&t);

    /* Two functions that differ only after a NUL. */
    base(&p);
    p.str[S_MAIN] = "foo\0a";
    p.str_len[S_MAIN] = 5;
    p.str[S_FOO] = "foo\0b";
    p.str_len[S_FOO] = 5;
    emit_prof("48_nul_inside_names.pb.gz", &p, NULL, "ok", "-");
}

/* ------------------------------------------------------------ size and shape (46, 47, 54, 55, 58-62) */

static void shape_cases(void)
{
    prof_t p;
    buf t = {0}, m = {0}, packed = {0};

    /* 46: a self-recursive stack 100,000 frames deep. */
    base(&p);
    for (int i = 0; i < 100000; i++)
        b_varint(&packed, 1);
    f_msg(&m, 1, &packed);
    f_varint(&m, 2, 3);
    f_msg(&t, 2, &m);
    emit_prof("46_stack_100000_frames.pb.gz", &p, &t, "ok", "-");
    b_free(&t);
    b_free(&m);
    b_free(&packed);

    /* 47: a 1 MiB function name. */
    base(&p);
    char *big = malloc((1u << 20) + 1);
    if (!big)
        die("out of memory");
    for (size_t i = 0; i < (1u << 20); i++)
        big[i] = (char)('a' + i % 26);
    big[1u << 20] = 0;
    p.str[S_FOO] = big;
    emit_prof("47_function_name_1MiB.pb.gz", &p, NULL, "ok", "-");
    free(big);

    /* 54: a mapping with start > limit and an offset that overflows. */
    base(&p);
    p.map[0].start = 0x500000;
    p.map[0].limit = 0x400000;
    p.map[0].offset = UINT64_MAX - 1;
    emit_prof("54_mapping_start_after_limit.pb.gz", &p, NULL, "ok", "-");

    /* 55: build ids of 0, 1 and 10,000 bytes. */
    static char bid10k[10001];
    memset(bid10k, 'f', 10000);
    const char *bids[] = {"", "a", bid10k};
    const char *names[] = {"55a_build_id_empty.pb.gz", "55b_build_id_1_byte.pb.gz", "55c_build_id_10k.pb.gz"};
    for (int k = 0; k < 3; k++) {
        base(&p);
        p.str[S_N] = bids[k];
        p.nstr = S_N + 1;
        p.map[0].build_id = S_N;
        emit_prof(names[k], &p, NULL, "ok", "-");
    }

    /* 58: time_nanos twice: two profiles glued together. */
    base(&p);
    f_varint(&t, 9, 1700000000000000001);
    emit_prof("58_time_nanos_repeated.pb.gz", &p, &t, "error", "concatenated");
    b_free(&t);

    /* 59: a label with num_unit but no num; one with both str and num. */
    base(&p);
    p.sample[0].has_label = 1;
    p.sample[0].lkey = S_THREAD;
    p.sample[0].lunit = S_COUNT;
    p.sample[1].has_label = 1;
    p.sample[1].lkey = S_THREAD;
    p.sample[1].lstr = S_WORKER;
    p.sample[1].lnum = 7;
    emit_prof("59_label_unit_without_num_and_str_with_num.pb.gz", &p, NULL, "ok", "-");

    /* 60: 500,000 tiny locations nothing refers to (object-count amplification). */
    base(&p);
    for (uint64_t i = 0; i < 500000; i++) {
        b_free(&m);
        f_varint(&m, 1, 100 + i);
        f_varint(&m, 3, 0x1000 + i);
        f_msg(&t, 4, &m);
    }
    emit_prof("60_500k_tiny_locations.pb.gz", &p, &t, "ok", "-");
    b_free(&t);
    b_free(&m);
    /* Locations no sample uses are dropped, as pprof's merge drops them;
     * those a later sample uses are kept, in wire order (run.sh compares
     * -raw of 60b and 60c with the base profile's, which has an unused
     * location at the end). */
    base(&p);
    p.loc[p.nloc++] = (location_t){.id = 9, .mapping_id = 1, .address = 0x409000, .fn = 1, .line = 9};
    emit_prof("60a_unused_location.pb.gz", &p, NULL, "ok", "-");
    p.locs_first = p.nloc;
    emit_prof("60b_locations_before_samples.pb.gz", &p, NULL, "ok", "-");
    p.locs_first = 1;
    emit_prof("60c_locations_around_samples.pb.gz", &p, NULL, "ok", "-");
    /* An unused location is still checked: a line without a function, a repeated id. */
    base(&p);
    p.loc[p.nloc++] = (location_t){.id = 9, .mapping_id = 1, .address = 0x409000, .fn = 77, .line = 9};
    emit_prof("60d_unused_location_unknown_function.pb.gz", &p, NULL, "error", "function id 77");
    base(&p);
    p.loc[p.nloc++] = (location_t){.id = 2, .mapping_id = 1, .address = 0x409000, .fn = 1, .line = 9};
    p.locs_first = p.nloc;
    emit_prof("60e_locations_before_samples_duplicate_id.pb.gz", &p, NULL, "error", "same id");
    base(&p);
    p.loc[p.nloc++] = (location_t){.id = 2, .mapping_id = 1, .address = 0x409000, .fn = 1, .line = 9};
    p.locs_first = 1;
    emit_prof("60f_locations_around_samples_duplicate_id.pb.gz", &p, NULL, "error", "same id");
    /* Functions no kept location uses are dropped too (a dropped location
     * may name one), and still checked; those used are kept in wire order. */
    base(&p);
    p.loc[p.nloc++] = (location_t){.id = 9, .mapping_id = 1, .address = 0x409000, .fn = 3, .line = 9};
    p.fn[p.nfn++] = (function_t){.id = 3, .name = S_WORKER, .file = S_SRC};
    emit_prof("60g_unused_location_unused_function.pb.gz", &p, NULL, "ok", "-");
    p.fns_first = 1;
    p.locs_first = 1;
    emit_prof("60h_functions_first_unused.pb.gz", &p, NULL, "ok", "-");
    base(&p);
    p.fn[p.nfn++] = (function_t){.id = 3, .name = 999, .file = S_SRC};
    emit_prof("60i_unused_function_string_out_of_range.pb.gz", &p, NULL, "error", "string index");
    base(&p);
    p.fn[p.nfn++] = (function_t){.id = 0, .name = S_WORKER, .file = S_SRC};
    p.fns_first = 1;
    emit_prof("60j_unused_function_id_zero_first.pb.gz", &p, NULL, "error", "reserved");

    /* 61: line numbers negative and huge. */
    base(&p);
    p.loc[0].line = -5;
    p.loc[1].line = INT64_MAX;
    p.fn[0].start_line = INT64_MIN;
    emit_prof("61_line_numbers_negative_huge.pb.gz", &p, NULL, "ok", "-");

    /* 62: comment and doc_url carrying javascript: and control bytes. */
    base(&p);
    p.str[S_N] = "javascript:alert(document.domain)\x1b[2J";
    p.str[S_N + 1] = "javascript:alert(1)//\x07";
    p.nstr = S_N + 2;
    f_varint(&t, 13, S_N);
    f_varint(&t, 15, S_N + 1);
    emit_prof("62_comment_doc_url_javascript.pb.gz", &p, &t, "ok", "-");
    b_free(&t);
}

/* ------------------------------------------------------------ memory (gen_bad DIR memory) */

/* A streaming gzip writer: bytes go through deflate straight to the file. */
typedef struct {
    FILE *f;
    z_stream z;
    const char *path;
} gzw;

static void gzw_open(gzw *w, const char *path, int level)
{
    memset(w, 0, sizeof *w);
    w->path = path;
    w->f = fopen(path, "wb");
    if (!w->f)
        die(path);
    if (deflateInit2(&w->z, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        die("deflateInit2");
}

static void gzw_put(gzw *w, const void *data, size_t n, int flush)
{
    static unsigned char out[1 << 16];
    w->z.next_in = (Bytef *)(uintptr_t)data;
    w->z.avail_in = (uInt)n;
    int rc;
    do {
        w->z.next_out = out;
        w->z.avail_out = sizeof out;
        rc = deflate(&w->z, flush);
        if (rc == Z_STREAM_ERROR)
            die("deflate");
        size_t have = sizeof out - w->z.avail_out;
        if (have && fwrite(out, 1, have, w->f) != have)
            die(w->path);
    } while (w->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
}

static void gzw_close(gzw *w)
{
    gzw_put(w, NULL, 0, Z_FINISH);
    deflateEnd(&w->z);
    if (fclose(w->f) != 0)
        die(w->path);
}

/* Writes name: the base profile's encoding with `unit` repeated until about
 * mib MiB (inflated) between its samples and the rest. */
/* A base profile followed by 10,000,000 tiny messages of one field (id
 * 100 + i, and address 0x1000 + i when asked) that nothing refers to,
 * gzipped as they are made. */
static void tiny_messages_case(const char *name, uint32_t field, bool with_address)
{
    prof_t p;
    base(&p);
    buf rest = {0}, chunk = {0}, msg = {0};
    encode(&p, &rest);
    char *path = path_of(name);
    gzw w;
    gzw_open(&w, path, 1);
    gzw_put(&w, rest.p, rest.n, Z_NO_FLUSH);
    for (uint64_t i = 0; i < 10000000; i++) {
        b_free(&msg);
        f_varint(&msg, 1, 100 + i);
        if (with_address)
            f_varint(&msg, 3, 0x1000 + i);
        f_msg(&chunk, field, &msg);
        if (chunk.n >= (1u << 20)) {
            gzw_put(&w, chunk.p, chunk.n, Z_NO_FLUSH);
            chunk.n = 0;
        }
    }
    gzw_put(&w, chunk.p, chunk.n, Z_NO_FLUSH);
    gzw_close(&w);
    free(path);
    b_free(&rest);
    b_free(&chunk);
    b_free(&msg);
}

static void repeated_case(const char *name, const buf *unit, int mib)
{
    prof_t p;
    base(&p);
    buf head = {0}, rest = {0}, block = {0};
    /* sample types, then the repeated units, then the base profile's fields. */
    encode(&p, &rest);
    char *path = path_of(name);
    gzw w;
    gzw_open(&w, path, 1);
    gzw_put(&w, rest.p, rest.n, Z_NO_FLUSH);
    while (block.n < (1u << 20))
        b_put(&block, unit->p, unit->n);
    for (int i = 0; i < mib; i++)
        gzw_put(&w, block.p, block.n, Z_NO_FLUSH);
    gzw_close(&w);
    free(path);
    b_free(&head);
    b_free(&rest);
    b_free(&block);
}

/* The memory cases: big inflated inputs whose peak RSS run.sh measures. */
static void memory_cases(void)
{
    /* M1: 512 MiB (inflated) of identical samples, main -> foo with value 1:
     * merged as they stream in, the model stays small. */
    buf s = {0}, m = {0};
    uint64_t locs[2] = {1, 2}, one = 1;
    f_repeated(&m, 1, locs, 2);
    f_repeated(&m, 2, &one, 1);
    f_msg(&s, 2, &m);
    repeated_case("M1_identical_samples_512MiB.pb.gz", &s, 512);
    b_free(&s);
    b_free(&m);

    /* M2 (checklist 60 at 10M): 10,000,000 tiny locations nothing refers to
     * (field 4, with an address); M4: as many tiny functions (field 5). */
    tiny_messages_case("M2_10M_tiny_locations.pb.gz", 4, true);
    tiny_messages_case("M4_10M_tiny_functions.pb.gz", 5, false);

    /* M3: one string of 1.9 GiB in the string table. */
    {
        prof_t p;
        base(&p);
        buf rest = {0}, hdr = {0}, block = {0};
        encode(&p, &rest);
        uint64_t len = (uint64_t)1945 << 20; /* 1.9 GiB */
        b_tag(&hdr, 6, 2);
        b_varint(&hdr, len);
        char *path = path_of("M3_string_1.9GiB.pb.gz");
        gzw w;
        gzw_open(&w, path, 1);
        gzw_put(&w, rest.p, rest.n, Z_NO_FLUSH);
        gzw_put(&w, hdr.p, hdr.n, Z_NO_FLUSH);
        while (block.n < (1u << 20))
            b_byte(&block, 'a' + (unsigned)(block.n % 26));
        for (uint64_t i = 0; i < len >> 20; i++)
            gzw_put(&w, block.p, block.n, Z_NO_FLUSH);
        gzw_close(&w);
        free(path);
        b_free(&rest);
        b_free(&hdr);
        b_free(&block);
    }
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
    if (argc != 2 && !(argc == 3 && strcmp(argv[2], "memory") == 0)) {
        fprintf(stderr, "usage: gen_bad DIR [memory]\n");
        return 2;
    }
    g_dir = argv[1];
    if (mkdir(g_dir, 0777) != 0 && errno != EEXIST)
        die(g_dir);
    errno = 0;
    char *mpath = path_of("cases.tsv");
    g_manifest = fopen(mpath, "w");
    if (!g_manifest)
        die(mpath);

    if (argc == 3) {
        memory_cases();
        fclose(g_manifest);
        return 0;
    }
    container_cases();
    wire_cases();
    semantic_cases();
    dot_cases();
    terminal_cases();
    shape_cases();

    if (fclose(g_manifest) != 0)
        die(mpath);
    free(mpath);
    fprintf(stderr, "gen_bad: wrote %d cases to %s\n", g_count, g_dir);
    return 0;
}
