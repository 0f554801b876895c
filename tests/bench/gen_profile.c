/* gen_profile.c: deterministic generator of synthetic gzip-compressed pprof profiles (profile.proto) for benchmarks. */

/*
 * Standalone: only libc, zlib and libm. It has its own small protobuf
 * writer and streams the Profile message through zlib's deflate into a
 * temporary file next to --out, renamed into place at the end, so memory
 * stays small whatever the profile size (no 127 MB message in memory).
 *
 * Shape of the data:
 *   - a random call tree of "nodes" (tree positions), each node carrying a
 *     location id; the number of nodes per depth follows a normal
 *     distribution around --avg-depth, narrow near the root, so stacks
 *     share prefixes; every location is used by at least one node when
 *     there are enough nodes;
 *   - each sample picks a node with a Zipf-like (s = 1) distribution over
 *     a random ranking of the nodes, and its stack is the path from that
 *     node up to the root (leaf first, as profile.proto wants);
 *   - locations belong to one of two mappings (a main binary and, for 2%
 *     of them, libc), have 1 Line, or 2-3 Lines (inlined frames) for
 *     --inline-frac of them;
 *   - functions are named "pkgP.(*TypeT).MethodM" or "pkgP.funcJ", 10
 *     functions a file, 4 files a package;
 *   - --label-frac of the samples carry a string label "endpoint" and a
 *     numeric label "bytes" (unit "bytes"); with --label-values N they also
 *     carry "span_id" and "pod" labels whose values are drawn from N and
 *     N/16 distinct strings (high-cardinality tags, as Pyroscope sends);
 *   - --types above 4 adds types "extraK/count" (many sample types).
 * Strings that only these two options use go after the file names, so the
 * profiles made without them stay byte for byte what they were.
 * Location and function details come from a hash of (seed, index), and
 * samples from one splitmix64 stream, so the output depends only on the
 * options (and on libm's exp/pow for the depth and Zipf tables).
 *
 * Compression: zlib level 6 by default (--level), the level Go's profile
 * writer uses, so the files look like real ones (big profile: 2.7 s, 43 MB
 * at level 6; 1.7 s, 47 MB at level 1). The profiles are cached by run.sh,
 * and readers' cost (inflate) barely depends on the level.
 */

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ------------------------------------------------------------------ errors */

static char tmp_path[4096];     /* removed by die() when set */

static void die(const char *fmt, ...)
{
    va_list ap;
    fputs("gen_profile: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (tmp_path[0] != '\0')
        unlink(tmp_path);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        die("out of memory (%zu bytes)", n);
    return p;
}

/* ------------------------------------------------------------------ random */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A stateless hash: the same (seed, kind, index) always gives the same value. */
static uint64_t hash3(uint64_t seed, uint64_t kind, uint64_t index)
{
    uint64_t s = seed ^ (kind * 0xd1b54a32d192ed03ULL) ^ (index * 0x8cb92ba72f3d8dd7ULL);
    splitmix64(&s);
    return splitmix64(&s);
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
    return splitmix64(&rng_state);
}

static uint64_t rnd_below(uint64_t n)
{
    return n ? rnd() % n : 0;
}

static double rnd_double(void)
{
    return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0);
}

/* ------------------------------------------------------------------ protobuf writer */

typedef struct {
    unsigned char *p;
    size_t len, cap;
} Buf;

static void buf_reserve(Buf *b, size_t extra)
{
    if (b->len + extra <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra)
        cap *= 2;
    unsigned char *p = realloc(b->p, cap);
    if (p == NULL)
        die("out of memory (%zu bytes)", cap);
    b->p = p;
    b->cap = cap;
}

static void put_varint(Buf *b, uint64_t v)
{
    buf_reserve(b, 10);
    while (v >= 0x80) {
        b->p[b->len++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b->p[b->len++] = (unsigned char)v;
}

enum { WT_VARINT = 0, WT_LEN = 2 };

static void put_key(Buf *b, int field, int wire_type)
{
    put_varint(b, ((uint64_t)field << 3) | (uint64_t)wire_type);
}

/* A scalar field; proto3 leaves zero values out. */
static void put_uint(Buf *b, int field, uint64_t v)
{
    if (v == 0)
        return;
    put_key(b, field, WT_VARINT);
    put_varint(b, v);
}

/* A length-delimited field (string, bytes, sub-message, packed array); always written. */
static void put_bytes(Buf *b, int field, const void *data, size_t n)
{
    put_key(b, field, WT_LEN);
    put_varint(b, n);
    buf_reserve(b, n);
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put_sub(Buf *b, int field, const Buf *sub)
{
    put_bytes(b, field, sub->p, sub->len);
}

/* ------------------------------------------------------------------ gzip output */

typedef struct {
    int fd;
    z_stream z;
    Buf out;                    /* serialized bytes waiting for deflate */
    unsigned char zbuf[1 << 18];
    uint64_t raw_bytes;         /* uncompressed size so far */
    uint64_t gz_bytes;          /* compressed size so far */
} Writer;

static void write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            die("write: %s", strerror(errno));
        }
        p += k;
        n -= (size_t)k;
    }
}

static void writer_deflate(Writer *w, int flush)
{
    w->z.next_in = w->out.p;
    w->z.avail_in = (uInt)w->out.len;
    w->raw_bytes += w->out.len;
    for (;;) {
        w->z.next_out = w->zbuf;
        w->z.avail_out = sizeof w->zbuf;
        int rc = deflate(&w->z, flush);
        if (rc == Z_STREAM_ERROR)
            die("deflate failed");
        size_t have = sizeof w->zbuf - w->z.avail_out;
        write_all(w->fd, w->zbuf, have);
        w->gz_bytes += have;
        if (flush == Z_FINISH ? rc == Z_STREAM_END : w->z.avail_out != 0)
            break;
    }
    w->out.len = 0;
}

/* Called after each top-level field: hands the buffer to deflate once it is big enough. */
static void writer_maybe_flush(Writer *w)
{
    if (w->out.len >= (1u << 20))
        writer_deflate(w, Z_NO_FLUSH);
}

static void writer_open(Writer *w, int fd, int level)
{
    memset(&w->z, 0, sizeof w->z);
    w->fd = fd;
    /* windowBits 15 + 16: a gzip header and trailer instead of zlib's. */
    if (deflateInit2(&w->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        die("deflateInit2 failed");
}

static void writer_close(Writer *w)
{
    writer_deflate(w, Z_FINISH);
    deflateEnd(&w->z);
    free(w->out.p);
}

/* ------------------------------------------------------------------ options */

typedef struct {
    uint64_t samples, locations, functions;
    unsigned max_depth, types;
    bool cpu_ms; /* --cpu-unit ms: cpu values and period in milliseconds */
    double avg_depth;
    double inline_frac, label_frac;
    uint64_t label_values;      /* distinct span_id values; 0: no such labels */
    uint64_t seed;
    int64_t time_nanos, duration_nanos;
    int level;
    const char *out;
} Options;

static void usage(FILE *f)
{
    fputs("usage: gen_profile --out FILE [options]\n"
          "  --samples N          samples (default 100000)\n"
          "  --locations N        locations (default 20000)\n"
          "  --functions N        functions (default 5000)\n"
          "  --max-depth N        deepest stack (default 70)\n"
          "  --avg-depth F        mean stack depth over samples (default 52.5% of max-depth)\n"
          "  --inline-frac F      fraction of locations with 2-3 Lines (default 0.1)\n"
          "  --label-frac F       fraction of samples with labels (default 0.1)\n"
          "  --types N            sample types, 1-4: samples/count cpu/nanoseconds\n"
          "                       alloc_objects/count alloc_space/bytes (default 2);\n"
          "                       up to 16: the rest are extraK/count\n"
          "  --label-values N     labelled samples also get span_id (N values) and\n"
          "                       pod (N/16 values) labels (default 0: none)\n"
          "  --seed S             random seed (default 1)\n"
          "  --cpu-unit U         unit of the cpu type and period: ns (default) or ms\n"
          "  --time-nanos T       Profile.time_nanos (default 1700000000000000000)\n"
          "  --duration-nanos D   Profile.duration_nanos (default 10000000000)\n"
          "  --level L            gzip level 0-9 (default 6)\n"
          "  --out FILE           output file ('-' for stdout)\n"
          "Big benchmark profile: --samples 1000000 --locations 200000 --functions 50000\n", f);
}

static uint64_t parse_u64(const char *name, const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
        die("%s: not a non-negative integer: '%s'", name, s);
    return (uint64_t)v;
}

static double parse_frac(const char *name, const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= 0.0 && v <= 1.0))
        die("%s: not a number in [0, 1]: '%s'", name, s);
    return v;
}

static double parse_double(const char *name, const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= 0.0))
        die("%s: not a non-negative number: '%s'", name, s);
    return v;
}

static void parse_options(int argc, char **argv, Options *o)
{
    o->samples = 100000;
    o->locations = 20000;
    o->functions = 5000;
    o->max_depth = 70;
    o->avg_depth = 0;
    o->types = 2;
    o->cpu_ms = false;
    o->inline_frac = 0.1;
    o->label_frac = 0.1;
    o->label_values = 0;
    o->seed = 1;
    o->time_nanos = 1700000000000000000LL;
    o->duration_nanos = 10000000000LL;
    o->level = 6;
    o->out = NULL;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strncmp(arg, "--", 2) != 0) {
            usage(stderr);
            die("unexpected argument '%s'", arg);
        }
        /* Both "--name value" and "--name=value". */
        char name[64];
        const char *val;
        const char *eq = strchr(arg, '=');
        if (eq != NULL) {
            size_t n = (size_t)(eq - arg);
            if (n >= sizeof name)
                die("unknown option '%s'", arg);
            memcpy(name, arg, n);
            name[n] = '\0';
            val = eq + 1;
        } else {
            if (strlen(arg) >= sizeof name)
                die("unknown option '%s'", arg);
            strcpy(name, arg);
            if (i + 1 >= argc)
                die("%s needs a value", name);
            val = argv[++i];
        }
        if (strcmp(name, "--samples") == 0)
            o->samples = parse_u64(name, val);
        else if (strcmp(name, "--locations") == 0)
            o->locations = parse_u64(name, val);
        else if (strcmp(name, "--functions") == 0)
            o->functions = parse_u64(name, val);
        else if (strcmp(name, "--max-depth") == 0)
            o->max_depth = (unsigned)parse_u64(name, val);
        else if (strcmp(name, "--avg-depth") == 0)
            o->avg_depth = parse_double(name, val);
        else if (strcmp(name, "--types") == 0)
            o->types = (unsigned)parse_u64(name, val);
        else if (strcmp(name, "--inline-frac") == 0)
            o->inline_frac = parse_frac(name, val);
        else if (strcmp(name, "--label-frac") == 0)
            o->label_frac = parse_frac(name, val);
        else if (strcmp(name, "--label-values") == 0)
            o->label_values = parse_u64(name, val);
        else if (strcmp(name, "--cpu-unit") == 0 && (strcmp(val, "ns") == 0 || strcmp(val, "ms") == 0))
            o->cpu_ms = strcmp(val, "ms") == 0;
        else if (strcmp(name, "--seed") == 0)
            o->seed = parse_u64(name, val);
        else if (strcmp(name, "--time-nanos") == 0)
            o->time_nanos = (int64_t)parse_u64(name, val);
        else if (strcmp(name, "--duration-nanos") == 0)
            o->duration_nanos = (int64_t)parse_u64(name, val);
        else if (strcmp(name, "--level") == 0)
            o->level = (int)parse_u64(name, val);
        else if (strcmp(name, "--out") == 0)
            o->out = val;
        else {
            usage(stderr);
            die("unknown option '%s'", name);
        }
    }
    if (o->out == NULL) {
        usage(stderr);
        die("--out is required");
    }
    if (o->locations < 1 || o->locations > 0x7fffffff)
        die("--locations must be in [1, 2^31)");
    if (o->functions < 1 || o->functions > 0x7fffffff)
        die("--functions must be in [1, 2^31)");
    if (o->samples > 0x7fffffff)
        die("--samples must be below 2^31");
    if (o->max_depth < 1 || o->max_depth > 10000)
        die("--max-depth must be in [1, 10000]");
    if (o->avg_depth == 0)
        o->avg_depth = o->max_depth * 0.525;
    if (o->avg_depth < 1)
        o->avg_depth = 1;
    if (o->avg_depth > o->max_depth)
        die("--avg-depth must not exceed --max-depth");
    if (o->types < 1 || o->types > 16)
        die("--types must be in [1, 16]");
    if (o->label_values > 0x7fffffff)
        die("--label-values must be below 2^31");
    if (o->level < 0 || o->level > 9)
        die("--level must be in [0, 9]");
}

/* ------------------------------------------------------------------ string table */

/*
 * Fixed strings first, then one name per function (index FN_BASE + f),
 * then one file name per 10 functions (index file_base + f / 10).
 * Nothing is stored: writer and users compute the same indices.
 */
enum {
    S_EMPTY, S_SAMPLES, S_COUNT, S_CPU, S_NANOSECONDS, S_ALLOC_OBJECTS, S_ALLOC_SPACE,
    S_BYTES, S_ENDPOINT, S_ENDPOINT0, /* N_ENDPOINTS of them */
    S_MAIN_BIN = S_ENDPOINT0 + 8, S_LIBC, S_MAIN_BUILDID, S_LIBC_BUILDID, S_COMMENT, S_MILLISECONDS,
    FN_BASE
};
#define N_ENDPOINTS 8

static const char *const fixed_strings[FN_BASE] = {
    "", "samples", "count", "cpu", "nanoseconds", "alloc_objects", "alloc_space",
    "bytes", "endpoint",
    "/api/v1/users", "/api/v1/orders", "/api/v1/search", "/api/v2/items",
    "/healthz", "/metrics", "/static/app.js", "/login",
    "/usr/local/bin/server", "/lib/x86_64-linux-gnu/libc.so.6",
    "5f0c3a1b9e2d4c7a8b6e1f0d2c3b4a5968778695", "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
    "synthetic profile from tests/bench/gen_profile.c", "milliseconds",
};

#define FUNCS_PER_FILE 10
#define FILES_PER_PKG 4
#define FUNCS_PER_PKG (FUNCS_PER_FILE * FILES_PER_PKG)

static int function_name(char *dst, size_t n, uint64_t f)
{
    uint64_t pkg = f / FUNCS_PER_PKG, j = f % FUNCS_PER_PKG;
    if (j % 5 == 4)
        return snprintf(dst, n, "pkg%llu.func%llu", (unsigned long long)pkg, (unsigned long long)j);
    return snprintf(dst, n, "pkg%llu.(*Type%llu).Method%llu", (unsigned long long)pkg,
                    (unsigned long long)(j / 8), (unsigned long long)(j % 8));
}

static int file_name(char *dst, size_t n, uint64_t file)
{
    return snprintf(dst, n, "github.com/example/server/pkg%llu/file%llu.go",
                    (unsigned long long)(file / FILES_PER_PKG),
                    (unsigned long long)(file % FILES_PER_PKG));
}

/* The strings only --label-values and --types > 4 use, after the file names:
 * "span_id", "pod", then the span_id values, then the pod values, then the
 * names of the extra types. */
static uint64_t extra_base(const Options *o)
{
    return FN_BASE + o->functions + (o->functions + FUNCS_PER_FILE - 1) / FUNCS_PER_FILE;
}

static uint64_t pod_values(const Options *o)
{
    return o->label_values / 16 ? o->label_values / 16 : 1;
}

static uint64_t extra_type_base(const Options *o)
{
    return extra_base(o) + (o->label_values ? 2 + o->label_values + pod_values(o) : 0);
}

static int64_t function_start_line(const Options *o, uint64_t f)
{
    return 20 + (int64_t)(f % FUNCS_PER_FILE) * 60 + (int64_t)(hash3(o->seed, 1, f) % 30);
}

/* ------------------------------------------------------------------ call tree */

typedef struct {
    uint64_t n;                 /* nodes */
    int32_t *parent;            /* -1 for roots */
    int32_t *loc;               /* location index (id - 1) */
    uint16_t *depth;            /* 1 for roots */
    uint64_t *level_start;      /* nodes of depth d are [level_start[d-1], level_start[d]) */
} Tree;

static void build_tree(const Options *o, Tree *t)
{
    unsigned D = o->max_depth;
    /* Enough nodes that most samples do not share their whole stack. */
    uint64_t want = o->locations;
    if (o->samples / 2 > want)
        want = o->samples / 2;
    if (want < D)
        want = D;

    /* Nodes per depth: normal around avg_depth, sd avg_depth/3, growing at most
       4x a level from a single root, and at least one a level so max_depth is reached. */
    double mean = o->avg_depth, sd = o->avg_depth / 3.0;
    if (sd < 1.0)
        sd = 1.0;
    double *pdf = xmalloc((D + 1) * sizeof *pdf);
    double sum = 0;
    for (unsigned d = 1; d <= D; d++) {
        double x = ((double)d - mean) / sd;
        pdf[d] = exp(-0.5 * x * x);
        sum += pdf[d];
    }
    t->level_start = xmalloc((D + 1) * sizeof *t->level_start);
    t->level_start[0] = 0;
    double cap = 1;
    for (unsigned d = 1; d <= D; d++) {
        double w = floor((double)want * pdf[d] / sum + 0.5);
        if (w > cap)
            w = cap;
        if (w < 1)
            w = 1;
        t->level_start[d] = t->level_start[d - 1] + (uint64_t)w;
        cap = w * 4;
    }
    free(pdf);
    t->n = t->level_start[D];
    if (t->n > 0x7fffffff)
        die("too many tree nodes");

    t->parent = xmalloc(t->n * sizeof *t->parent);
    t->loc = xmalloc(t->n * sizeof *t->loc);
    t->depth = xmalloc(t->n * sizeof *t->depth);
    for (unsigned d = 1; d <= D; d++) {
        for (uint64_t i = t->level_start[d - 1]; i < t->level_start[d]; i++) {
            if (d == 1) {
                t->parent[i] = -1;
            } else {
                /* Skewed towards the start of the previous level: some subtrees are big. */
                uint64_t lo = t->level_start[d - 2], w = t->level_start[d - 1] - lo;
                double u = rnd_double();
                uint64_t k = (uint64_t)(u * u * (double)w);
                if (k >= w)
                    k = w - 1;
                t->parent[i] = (int32_t)(lo + k);
            }
            t->loc[i] = (int32_t)rnd_below(o->locations);
            t->depth[i] = (uint16_t)d;
        }
    }
    /* Every location on at least one node (when there are enough nodes). */
    int32_t *perm = xmalloc(t->n * sizeof *perm);
    for (uint64_t i = 0; i < t->n; i++)
        perm[i] = (int32_t)i;
    for (uint64_t i = t->n - 1; i > 0; i--) {
        uint64_t j = rnd_below(i + 1);
        int32_t tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
    }
    for (uint64_t k = 0; k < o->locations && k < t->n; k++)
        t->loc[perm[k]] = (int32_t)k;
    free(perm);
}

/* Zipf-like (s = 1) choice of nodes: rank r has weight 1/(r+1); ranks are a random permutation of the nodes. */
typedef struct {
    uint64_t n;
    double *cdf;
    int32_t *node_of_rank;
} Zipf;

static void build_zipf(Zipf *z, uint64_t n)
{
    z->n = n;
    z->cdf = xmalloc(n * sizeof *z->cdf);
    z->node_of_rank = xmalloc(n * sizeof *z->node_of_rank);
    double acc = 0;
    for (uint64_t r = 0; r < n; r++) {
        acc += 1.0 / (double)(r + 1);
        z->cdf[r] = acc;
        z->node_of_rank[r] = (int32_t)r;
    }
    for (uint64_t i = n - 1; i > 0; i--) {
        uint64_t j = rnd_below(i + 1);
        int32_t tmp = z->node_of_rank[i];
        z->node_of_rank[i] = z->node_of_rank[j];
        z->node_of_rank[j] = tmp;
    }
}

/*
 * The hottest few nodes decide the mean stack depth (and so the profile's
 * size), so a random ranking would make it vary a lot with the seed.  Swap
 * ranks, heaviest first, with random lighter ones until the expected mean
 * depth is within 0.01 of the target.
 */
static void fix_mean_depth(Zipf *z, const Tree *t, double target)
{
    uint64_t n = z->n;
    double total = z->cdf[n - 1], sum = 0;
    for (uint64_t r = 0; r < n; r++)
        sum += t->depth[z->node_of_rank[r]] / (double)(r + 1);
    for (uint64_t r = 0; r + 1 < n && fabs(sum / total - target) > 0.01; r++) {
        double wr = 1.0 / (double)(r + 1), dr = t->depth[z->node_of_rank[r]];
        double best_sum = sum;
        uint64_t best_j = r;
        for (int k = 0; k < 16; k++) {
            uint64_t j = r + 1 + rnd_below(n - r - 1);
            double wj = 1.0 / (double)(j + 1), dj = t->depth[z->node_of_rank[j]];
            double s = sum + (wr - wj) * (dj - dr);
            if (fabs(s / total - target) < fabs(best_sum / total - target)) {
                best_sum = s;
                best_j = j;
            }
        }
        if (best_j != r) {
            int32_t tmp = z->node_of_rank[r];
            z->node_of_rank[r] = z->node_of_rank[best_j];
            z->node_of_rank[best_j] = tmp;
            sum = best_sum;
        }
    }
}

static int32_t zipf_pick(const Zipf *z)
{
    double u = rnd_double() * z->cdf[z->n - 1];
    uint64_t lo = 0, hi = z->n - 1;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (z->cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return z->node_of_rank[lo];
}

/* ------------------------------------------------------------------ profile sections */

static const int type_strings[4][2] = {
    {S_SAMPLES, S_COUNT}, {S_CPU, S_NANOSECONDS}, {S_ALLOC_OBJECTS, S_COUNT}, {S_ALLOC_SPACE, S_BYTES},
};

#define CPU_PERIOD 10000000         /* 10ms, as Go's 100 Hz CPU profiler */

static void write_sample_types(Writer *w, const Options *o)
{
    Buf vt = {0};
    for (unsigned i = 0; i < o->types; i++) {
        vt.len = 0;
        if (i < 4) {
            put_uint(&vt, 1, (uint64_t)type_strings[i][0]);
            put_uint(&vt, 2, i == 1 && o->cpu_ms ? S_MILLISECONDS : (uint64_t)type_strings[i][1]);
        } else {
            put_uint(&vt, 1, extra_type_base(o) + (i - 4));
            put_uint(&vt, 2, S_COUNT);
        }
        put_sub(&w->out, 1, &vt);
    }
    free(vt.p);
}

static uint64_t write_samples(Writer *w, const Options *o, const Tree *t, const Zipf *z)
{
    Buf ids = {0}, vals = {0}, lab = {0}, s = {0};
    uint64_t frames = 0;
    for (uint64_t i = 0; i < o->samples; i++) {
        int32_t node = zipf_pick(z);
        ids.len = 0;
        for (int32_t n = node; n >= 0; n = t->parent[n]) {
            put_varint(&ids, (uint64_t)t->loc[n] + 1);
            frames++;
        }
        uint64_t count = rnd_below(100) < 85 ? 1 : 2 + rnd_below(9);
        uint64_t objects = 1 + rnd_below(64);
        vals.len = 0;
        for (unsigned k = 0; k < o->types; k++) {
            uint64_t v = 0;
            switch (k) {
            case 0: v = count; break;
            case 1: v = o->cpu_ms ? count * (CPU_PERIOD / 1000000) : count * CPU_PERIOD + rnd_below(1000); break;
            case 2: v = objects; break;
            case 3: v = objects * (16u << rnd_below(8)); break;
            default: v = objects * k; break;
            }
            put_varint(&vals, v);
        }
        s.len = 0;
        put_sub(&s, 1, &ids);
        put_sub(&s, 2, &vals);
        if (o->label_frac > 0 && rnd_double() < o->label_frac) {
            lab.len = 0;
            put_uint(&lab, 1, S_ENDPOINT);
            put_uint(&lab, 2, S_ENDPOINT0 + rnd_below(N_ENDPOINTS));
            put_sub(&s, 3, &lab);
            lab.len = 0;
            put_uint(&lab, 1, S_BYTES);
            put_uint(&lab, 3, (uint64_t)1 << (6 + rnd_below(15)));
            put_uint(&lab, 4, S_BYTES);
            put_sub(&s, 3, &lab);
            if (o->label_values) {
                uint64_t base = extra_base(o);
                lab.len = 0;
                put_uint(&lab, 1, base);
                put_uint(&lab, 2, base + 2 + rnd_below(o->label_values));
                put_sub(&s, 3, &lab);
                lab.len = 0;
                put_uint(&lab, 1, base + 1);
                put_uint(&lab, 2, base + 2 + o->label_values + rnd_below(pod_values(o)));
                put_sub(&s, 3, &lab);
            }
        }
        put_sub(&w->out, 2, &s);
        writer_maybe_flush(w);
    }
    free(ids.p);
    free(vals.p);
    free(lab.p);
    free(s.p);
    return frames;
}

#define MAIN_START 0x400000ULL
#define LIBC_START 0x7f3a1c000000ULL
#define LOC_STRIDE 0x20ULL

/* The first n_main locations are in the main binary, the rest in libc. */
static uint64_t main_locations(const Options *o)
{
    return o->locations >= 50 ? o->locations - o->locations / 50 : o->locations;
}

static uint64_t round_page(uint64_t v)
{
    return (v + 0xfff) & ~0xfffULL;
}

static void write_mappings(Writer *w, const Options *o)
{
    uint64_t n_main = main_locations(o), n_libc = o->locations - n_main;
    Buf m = {0};
    put_uint(&m, 1, 1);
    put_uint(&m, 2, MAIN_START);
    put_uint(&m, 3, MAIN_START + round_page(0x1000 + n_main * LOC_STRIDE));
    put_uint(&m, 4, 0);
    put_uint(&m, 5, S_MAIN_BIN);
    put_uint(&m, 6, S_MAIN_BUILDID);
    for (int f = 7; f <= 10; f++)
        put_uint(&m, f, 1);
    put_sub(&w->out, 3, &m);
    if (n_libc > 0) {
        m.len = 0;
        put_uint(&m, 1, 2);
        put_uint(&m, 2, LIBC_START);
        put_uint(&m, 3, LIBC_START + round_page(0x1000 + n_libc * LOC_STRIDE));
        put_uint(&m, 4, 0x28000);
        put_uint(&m, 5, S_LIBC);
        put_uint(&m, 6, S_LIBC_BUILDID);
        for (int f = 7; f <= 10; f++)
            put_uint(&m, f, 1);
        put_sub(&w->out, 3, &m);
    }
    free(m.p);
}

static void write_locations(Writer *w, const Options *o)
{
    uint64_t n_main = main_locations(o);
    Buf loc = {0}, line = {0};
    for (uint64_t i = 0; i < o->locations; i++) {
        uint64_t h = hash3(o->seed, 2, i);
        /* Location i's own function: every function is used when there are enough locations. */
        uint64_t f = i < o->functions ? i : hash3(o->seed, 3, i) % o->functions;
        int inlined = (double)(h >> 11) * (1.0 / 9007199254740992.0) < o->inline_frac;
        int nlines = inlined ? 2 + (int)((h >> 3) & 1) : 1;

        loc.len = 0;
        put_uint(&loc, 1, i + 1);
        if (i < n_main) {
            put_uint(&loc, 2, 1);
            put_uint(&loc, 3, MAIN_START + 0x1000 + i * LOC_STRIDE + (h & 0x1f));
        } else {
            put_uint(&loc, 2, 2);
            put_uint(&loc, 3, LIBC_START + 0x1000 + (i - n_main) * LOC_STRIDE + (h & 0x1f));
        }
        /* Innermost inlined callee first, the location's own function last. */
        for (int k = nlines - 1; k >= 0; k--) {
            uint64_t fk = k == 0 ? f : hash3(o->seed, 4 + (uint64_t)k, i) % o->functions;
            line.len = 0;
            put_uint(&line, 1, fk + 1);
            put_uint(&line, 2, (uint64_t)function_start_line(o, fk) + 1 + hash3(o->seed, 7, i * 4 + (uint64_t)k) % 50);
            put_sub(&loc, 4, &line);
        }
        put_sub(&w->out, 4, &loc);
        writer_maybe_flush(w);
    }
    free(loc.p);
    free(line.p);
}

static void write_functions(Writer *w, const Options *o)
{
    uint64_t file_base = FN_BASE + o->functions;
    Buf fn = {0};
    for (uint64_t f = 0; f < o->functions; f++) {
        fn.len = 0;
        put_uint(&fn, 1, f + 1);
        put_uint(&fn, 2, FN_BASE + f);
        put_uint(&fn, 3, FN_BASE + f);
        put_uint(&fn, 4, file_base + f / FUNCS_PER_FILE);
        put_uint(&fn, 5, (uint64_t)function_start_line(o, f));
        put_sub(&w->out, 5, &fn);
        writer_maybe_flush(w);
    }
    free(fn.p);
}

static void write_strings(Writer *w, const Options *o)
{
    char s[256];
    for (int i = 0; i < FN_BASE; i++)
        put_bytes(&w->out, 6, fixed_strings[i], strlen(fixed_strings[i]));
    for (uint64_t f = 0; f < o->functions; f++) {
        int n = function_name(s, sizeof s, f);
        put_bytes(&w->out, 6, s, (size_t)n);
        writer_maybe_flush(w);
    }
    uint64_t files = (o->functions + FUNCS_PER_FILE - 1) / FUNCS_PER_FILE;
    for (uint64_t i = 0; i < files; i++) {
        int n = file_name(s, sizeof s, i);
        put_bytes(&w->out, 6, s, (size_t)n);
        writer_maybe_flush(w);
    }
    if (o->label_values) {
        put_bytes(&w->out, 6, "span_id", 7);
        put_bytes(&w->out, 6, "pod", 3);
        for (uint64_t i = 0; i < o->label_values; i++) {
            int n = snprintf(s, sizeof s, "%016llx", (unsigned long long)hash3(o->seed, 8, i));
            put_bytes(&w->out, 6, s, (size_t)n);
            writer_maybe_flush(w);
        }
        for (uint64_t i = 0; i < pod_values(o); i++) {
            int n = snprintf(s, sizeof s, "checkout-%llx-%05llu", (unsigned long long)(hash3(o->seed, 9, i) & 0xfffffff),
                             (unsigned long long)i);
            put_bytes(&w->out, 6, s, (size_t)n);
        }
    }
    for (unsigned k = 4; k < o->types; k++) {
        int n = snprintf(s, sizeof s, "extra%u", k);
        put_bytes(&w->out, 6, s, (size_t)n);
    }
}

static void write_trailer(Writer *w, const Options *o)
{
    put_uint(&w->out, 9, (uint64_t)o->time_nanos);
    put_uint(&w->out, 10, (uint64_t)o->duration_nanos);
    Buf vt = {0};
    put_uint(&vt, 1, S_CPU);
    put_uint(&vt, 2, S_NANOSECONDS);
    put_sub(&w->out, 11, &vt);
    free(vt.p);
    put_uint(&w->out, 12, CPU_PERIOD);
    put_key(&w->out, 13, WT_LEN);       /* packed repeated comment */
    Buf c = {0};
    put_varint(&c, S_COMMENT);
    put_varint(&w->out, c.len);
    buf_reserve(&w->out, c.len);
    memcpy(w->out.p + w->out.len, c.p, c.len);
    w->out.len += c.len;
    free(c.p);
}

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
    Options o;
    parse_options(argc, argv, &o);
    rng_state = o.seed;

    Tree t;
    build_tree(&o, &t);
    Zipf z;
    build_zipf(&z, t.n);
    fix_mean_depth(&z, &t, o.avg_depth);

    int fd;
    int to_stdout = strcmp(o.out, "-") == 0;
    if (to_stdout) {
        fd = STDOUT_FILENO;
    } else {
        int n = snprintf(tmp_path, sizeof tmp_path, "%s.tmp.XXXXXX", o.out);
        if (n < 0 || (size_t)n >= sizeof tmp_path)
            die("output path too long");
        fd = mkstemp(tmp_path);
        if (fd < 0) {
            tmp_path[0] = '\0';
            die("cannot create temporary file for %s: %s", o.out, strerror(errno));
        }
    }

    static Writer w;
    writer_open(&w, fd, o.level);
    write_sample_types(&w, &o);
    uint64_t frames = write_samples(&w, &o, &t, &z);
    write_mappings(&w, &o);
    write_locations(&w, &o);
    write_functions(&w, &o);
    write_strings(&w, &o);
    write_trailer(&w, &o);
    writer_close(&w);

    if (!to_stdout) {
        if (fchmod(fd, 0644) != 0)
            die("chmod %s: %s", tmp_path, strerror(errno));
        if (close(fd) != 0)
            die("close %s: %s", tmp_path, strerror(errno));
        if (rename(tmp_path, o.out) != 0)
            die("rename %s to %s: %s", tmp_path, o.out, strerror(errno));
        tmp_path[0] = '\0';
    }
    fprintf(stderr, "gen_profile: %llu samples (avg depth %.1f), %llu locations, %llu functions, "
            "%llu tree nodes: %llu bytes raw, %llu gzipped\n",
            (unsigned long long)o.samples, o.samples ? (double)frames / (double)o.samples : 0.0,
            (unsigned long long)o.locations, (unsigned long long)o.functions,
            (unsigned long long)t.n, (unsigned long long)w.raw_bytes, (unsigned long long)w.gz_bytes);
    free(t.parent);
    free(t.loc);
    free(t.depth);
    free(t.level_start);
    free(z.cdf);
    free(z.node_of_rank);
    return 0;
}
