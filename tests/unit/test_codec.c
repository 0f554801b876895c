/* test_codec.c: unit tests for the profile.proto encoder and decoder (round trips, wire layout, bad input) and the -raw text. */
#include "idmap.h"
#include "pager.h"
#include "report.h"
#include "pprof.h"
#include "unit.h"

#include <linux/perf_event.h>
#include <malloc.h>
#include <pthread.h>
#include <time.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

/* ---------------------------------------------------------------- helpers */

static pprof_str S(pprof_profile *p, const char *s)
{
    pprof_str id = 0;
    CHECK_INT(pprof_profile_intern(&id, p, s, strlen(s)), 0);
    return id;
}

/* The string of id s in p ("" for ids out of range, which a check reports). */
static const char *str_of(const pprof_profile *p, pprof_str s)
{
    return s < p->n_strings ? p->strings[s] : "<out of range>";
}

#define CHECK_PSTR(p, id, want) CHECK_STR(str_of((p), (id)), (want))

/* Encodes p (gzip or not) and parses the bytes back. */
static pprof_profile *round_trip(const pprof_profile *p, bool gz, pprof_buf *bytes)
{
    pprof_error err;
    memset(&err, 0, sizeof err);
    int rc = pprof_profile_encode(bytes, p, gz, &err);
    CHECK_INT(rc, 0);
    if (rc) {
        fprintf(stderr, "encode: %s\n", err.msg);
        return NULL;
    }
    CHECK(pprof_is_gzip(bytes->data, bytes->len) == gz);
    pprof_profile *q = NULL;
    rc = pprof_profile_parse(&q, bytes->data, bytes->len, NULL, &err);
    CHECK_INT(rc, 0);
    if (rc)
        fprintf(stderr, "parse: %s\n", err.msg);
    return q;
}

/* A hand-written protobuf message. */
typedef struct msg {
    uint8_t b[4096];
    size_t n;
} msg;

static void put_v(msg *m, uint64_t x)
{
    while (x >= 0x80) {
        m->b[m->n++] = (uint8_t)(x | 0x80);
        x >>= 7;
    }
    m->b[m->n++] = (uint8_t)x;
}

static void put_tag(msg *m, unsigned num, unsigned wt)
{
    put_v(m, (uint64_t)num << 3 | wt);
}

/* varint field */
static void fv(msg *m, unsigned num, uint64_t x)
{
    put_tag(m, num, 0);
    put_v(m, x);
}

static void fbytes(msg *m, unsigned num, const void *data, size_t n)
{
    put_tag(m, num, 2);
    put_v(m, n);
    memcpy(m->b + m->n, data, n);
    m->n += n;
}

static void fs(msg *m, unsigned num, const char *s)
{
    fbytes(m, num, s, strlen(s));
}

static void fm(msg *m, unsigned num, const msg *sub)
{
    fbytes(m, num, sub->b, sub->n);
}

static void fpacked(msg *m, unsigned num, const uint64_t *xs, size_t n)
{
    msg sub = {.n = 0};
    for (size_t i = 0; i < n; i++)
        put_v(&sub, xs[i]);
    fm(m, num, &sub);
}

static void f_value_type(msg *m, unsigned num, uint64_t type, uint64_t unit)
{
    msg vt = {.n = 0};
    fv(&vt, 1, type);
    fv(&vt, 2, unit);
    fm(m, num, &vt);
}

/* string table "", "t", "u", "f", "file" */
static void f_strings(msg *m)
{
    fs(m, 6, "");
    fs(m, 6, "t");
    fs(m, 6, "u");
    fs(m, 6, "f");
    fs(m, 6, "file");
}

static void f_location(msg *m, uint64_t id, uint64_t fn_id, int64_t line)
{
    msg loc = {.n = 0}, ln = {.n = 0};
    fv(&loc, 1, id);
    fv(&ln, 1, fn_id);
    fv(&ln, 2, (uint64_t)line);
    fm(&loc, 4, &ln);
    fm(m, 4, &loc);
}

static void f_function(msg *m, uint64_t id, uint64_t name)
{
    msg fn = {.n = 0};
    fv(&fn, 1, id);
    fv(&fn, 2, name);
    fv(&fn, 4, 4);
    fm(m, 5, &fn);
}

/* A message of its own (too big for the stack of some tests), with a
 * sample type ("t", "u"); NULL when out of memory. */
static msg *new_profile_msg(void)
{
    msg *m = malloc(sizeof *m);
    if (m) {
        m->n = 0;
        f_value_type(m, 1, 1, 2);
    }
    return m;
}

/* Parses m, expecting failure with code (or code2) and a message containing want. */
static void expect_fail(const msg *m, int code, int code2, const char *want, int line)
{
    pprof_profile *p = NULL;
    pprof_error err;
    memset(&err, 0, sizeof err);
    int rc = pprof_profile_parse(&p, m->b, m->n, NULL, &err);
    if ((rc == code || rc == code2) && rc != 0 && strstr(err.msg, want) && !p) {
        unit_passed++;
    } else {
        unit_failed++;
        fprintf(stderr, "%s:%d: parse returned %d (%s), want %d/%d with \"%s\"\n", __FILE__, line, rc,
                err.msg, code, code2, want);
    }
    pprof_profile_free(p);
}

#define EXPECT_FAIL(m, code, want) expect_fail((m), (code), (code), (want), __LINE__)

static pprof_profile *parse_ok(const msg *m)
{
    pprof_profile *p = NULL;
    pprof_error err;
    memset(&err, 0, sizeof err);
    int rc = pprof_profile_parse(&p, m->b, m->n, NULL, &err);
    CHECK_INT(rc, 0);
    if (rc)
        fprintf(stderr, "parse: %s\n", err.msg);
    return p;
}

/* ---------------------------------------------------------------- round trip */

/* A profile with every field set. */
static pprof_profile *full_profile(void)
{
    pprof_profile *p = pprof_profile_new();
    CHECK(p != NULL);
    CHECK_INT(pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "alloc_objects"), S(p, "count")}), 0);
    CHECK_INT(pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "alloc_space"), S(p, "bytes")}), 0);
    CHECK_INT(pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "delta"), S(p, "bytes")}), 0);

    pprof_mapping m0 = {.id = 7, .start = 0x400000, .limit = 0x4e9000, .offset = 0x1000,
                        .file = S(p, "/bin/app"), .build_id = S(p, "b1d"),
                        .has_functions = true, .has_line_numbers = true};
    pprof_mapping m1 = {.id = 3, .start = 0x7f0000000000ULL, .limit = UINT64_MAX, .offset = 0,
                        .file = S(p, "libc.so"), .build_id = 0,
                        .has_filenames = true, .has_inline_frames = true};
    uint32_t mi0, mi1;
    CHECK_INT(pprof_profile_add_mapping(&mi0, p, &m0), 0);
    CHECK_INT(pprof_profile_add_mapping(&mi1, p, &m1), 0);

    pprof_function f0 = {.id = 10, .name = S(p, "main.main"), .system_name = S(p, "main.main"),
                         .filename = S(p, "main.go"), .start_line = 12};
    pprof_function f1 = {.id = 11, .name = S(p, "foo::bar()"), .system_name = S(p, "_ZN3foo3barEv"),
                         .filename = S(p, "foo.cc"), .start_line = -4};
    pprof_function f2 = {.id = 12, .name = S(p, "inlined"), .system_name = 0, .filename = 0};
    uint32_t fi0, fi1, fi2;
    CHECK_INT(pprof_profile_add_function(&fi0, p, &f0), 0);
    CHECK_INT(pprof_profile_add_function(&fi1, p, &f1), 0);
    CHECK_INT(pprof_profile_add_function(&fi2, p, &f2), 0);

    pprof_line l0[] = {{fi2, 5, 9}, {fi1, 40, 0}, {fi0, 20, 3}};
    pprof_location loc0 = {.id = 100, .address = 0x401000, .mapping = mi0};
    pprof_line l1[] = {{fi0, -1, 1}};
    pprof_location loc1 = {.id = 200, .address = 0x7f0000001234ULL, .mapping = mi1, .is_folded = true};
    pprof_location loc2 = {.id = 50, .address = 0, .mapping = PPROF_NONE};
    uint32_t li0, li1, li2;
    CHECK_INT(pprof_profile_add_location(&li0, p, &loc0, l0, 3), 0);
    CHECK_INT(pprof_profile_add_location(&li1, p, &loc1, l1, 1), 0);
    CHECK_INT(pprof_profile_add_location(&li2, p, &loc2, NULL, 0), 0);

    /* Labels already in pprof's order: string labels by key, then numeric by key. */
    pprof_label lab0[] = {
        {.key = S(p, "endpoint"), .str = S(p, "/export")},
        {.key = S(p, "endpoint"), .str = S(p, "/import")},
        {.key = S(p, "thread"), .str = S(p, "main")},
        {.key = S(p, "bytes"), .num = 4096, .num_unit = S(p, "bytes")},
        {.key = S(p, "count"), .num = -3},
        {.key = S(p, "delay"), .num = INT64_MAX, .num_unit = S(p, "nanoseconds")},
    };
    uint32_t s0[] = {li0, li1, li2};
    int64_t v0[] = {1, 1048576, -77};
    CHECK_INT(pprof_profile_add_sample(p, s0, 3, v0, lab0, 6), 0);
    uint32_t s1[] = {li1, li2};
    int64_t v1[] = {INT64_MAX, INT64_MIN, 0};
    CHECK_INT(pprof_profile_add_sample(p, s1, 2, v1, NULL, 0), 0);
    int64_t v2[] = {0, 0, 5};
    CHECK_INT(pprof_profile_add_sample(p, NULL, 0, v2, NULL, 0), 0);

    p->drop_frames = S(p, "runtime\\..*");
    p->keep_frames = S(p, "runtime\\.main");
    p->time_nanos = 1700000000123456789LL;
    p->duration_nanos = 10000000000LL;
    p->period_type = (pprof_value_type){S(p, "space"), S(p, "bytes")};
    p->period = 524288;
    CHECK_INT(pprof_profile_add_comment(p, S(p, "first comment")), 0);
    CHECK_INT(pprof_profile_add_comment(p, S(p, "#second")), 0);
    CHECK_INT(pprof_profile_add_comment(p, S(p, "first comment")), 0);
    p->default_sample_type = S(p, "alloc_space");
    p->doc_url = S(p, "https://example.com/doc");
    return p;
}

static void check_full(const pprof_profile *q)
{
    if (!q)
        return;
    CHECK_INT(q->n_sample_types, 3);
    if (q->n_sample_types == 3) {
        CHECK_PSTR(q, q->sample_types[0].type, "alloc_objects");
        CHECK_PSTR(q, q->sample_types[0].unit, "count");
        CHECK_PSTR(q, q->sample_types[1].type, "alloc_space");
        CHECK_PSTR(q, q->sample_types[2].unit, "bytes");
    }

    CHECK_INT(q->n_mappings, 2);
    if (q->n_mappings == 2) {
        const pprof_mapping *m = q->mappings;
        CHECK_INT(m[0].id, 7);
        CHECK_INT(m[0].start, 0x400000);
        CHECK_INT(m[0].limit, 0x4e9000);
        CHECK_INT(m[0].offset, 0x1000);
        CHECK_PSTR(q, m[0].file, "/bin/app");
        CHECK_PSTR(q, m[0].build_id, "b1d");
        CHECK(m[0].has_functions && !m[0].has_filenames && m[0].has_line_numbers && !m[0].has_inline_frames);
        CHECK_INT(m[1].id, 3);
        CHECK(m[1].limit == UINT64_MAX);
        CHECK_PSTR(q, m[1].build_id, "");
        CHECK(!m[1].has_functions && m[1].has_filenames && !m[1].has_line_numbers && m[1].has_inline_frames);
    }

    CHECK_INT(q->n_functions, 3);
    if (q->n_functions == 3) {
        const pprof_function *f = q->functions;
        CHECK_INT(f[0].id, 10);
        CHECK_PSTR(q, f[0].name, "main.main");
        CHECK_PSTR(q, f[0].system_name, "main.main");
        CHECK_PSTR(q, f[0].filename, "main.go");
        CHECK_INT(f[0].start_line, 12);
        CHECK_PSTR(q, f[1].system_name, "_ZN3foo3barEv");
        CHECK_INT(f[1].start_line, -4);
        CHECK_INT(f[2].id, 12);
        CHECK_PSTR(q, f[2].system_name, "");
    }

    CHECK_INT(q->n_locations, 3);
    if (q->n_locations == 3 && q->n_functions == 3 && q->n_mappings == 2) {
        const pprof_location *l = q->locations;
        CHECK_INT(l[0].id, 100);
        CHECK_INT(l[0].address, 0x401000);
        CHECK_INT(l[0].mapping, 0);
        CHECK(!l[0].is_folded);
        CHECK_INT(l[0].n_lines, 3);
        if (l[0].n_lines == 3) {
            const pprof_line *ln = q->lines + l[0].lines_off;
            CHECK_PSTR(q, q->functions[ln[0].function].name, "inlined");
            CHECK_INT(ln[0].line, 5);
            CHECK_INT(ln[0].column, 9);
            CHECK_PSTR(q, q->functions[ln[1].function].name, "foo::bar()");
            CHECK_INT(ln[1].line, 40);
            CHECK_INT(ln[1].column, 0);
            CHECK_PSTR(q, q->functions[ln[2].function].name, "main.main");
            CHECK_INT(ln[2].column, 3);
        }
        CHECK_INT(l[1].id, 200);
        CHECK(l[1].address == 0x7f0000001234ULL);
        CHECK_INT(l[1].mapping, 1);
        CHECK(l[1].is_folded);
        CHECK_INT(l[1].n_lines, 1);
        if (l[1].n_lines == 1) {
            CHECK_INT(q->lines[l[1].lines_off].line, -1);
            CHECK_INT(q->lines[l[1].lines_off].column, 1);
        }
        CHECK_INT(l[2].id, 50);
        CHECK(l[2].mapping == PPROF_NONE);
        CHECK_INT(l[2].n_lines, 0);
    }

    CHECK_INT(q->n_samples, 3);
    if (q->n_samples == 3 && q->n_sample_types == 3) {
        const pprof_sample *s = q->samples;
        CHECK_INT(s[0].n_locs, 3);
        CHECK_INT(s[1].n_locs, 2);
        CHECK_INT(s[2].n_locs, 0);
        if (s[0].n_locs == 3 && s[1].n_locs == 2) {
            const uint32_t *a = q->sample_locs + s[0].locs_off, *b = q->sample_locs + s[1].locs_off;
            CHECK_INT(q->locations[a[0]].id, 100);
            CHECK_INT(q->locations[a[1]].id, 200);
            CHECK_INT(q->locations[a[2]].id, 50);
            CHECK_INT(q->locations[b[0]].id, 200);
            CHECK_INT(q->locations[b[1]].id, 50);
        }
        const int64_t *v = pprof_sample_values(q, 0);
        CHECK_INT(v[0], 1);
        CHECK_INT(v[1], 1048576);
        CHECK_INT(v[2], -77);
        v = pprof_sample_values(q, 1);
        CHECK(v[0] == INT64_MAX);
        CHECK(v[1] == INT64_MIN);
        CHECK_INT(v[2], 0);
        CHECK_INT(pprof_sample_values(q, 2)[2], 5);

        CHECK_INT(s[0].n_labels, 6);
        CHECK_INT(s[1].n_labels, 0);
        if (s[0].n_labels == 6) {
            const pprof_label *L = q->labels + s[0].labels_off;
            CHECK_PSTR(q, L[0].key, "endpoint");
            CHECK_PSTR(q, L[0].str, "/export");
            CHECK_PSTR(q, L[1].str, "/import");
            CHECK_PSTR(q, L[2].key, "thread");
            CHECK_PSTR(q, L[2].str, "main");
            CHECK_PSTR(q, L[3].key, "bytes");
            CHECK_INT(L[3].str, 0);
            CHECK_INT(L[3].num, 4096);
            CHECK_PSTR(q, L[3].num_unit, "bytes");
            CHECK_PSTR(q, L[4].key, "count");
            CHECK_INT(L[4].num, -3);
            CHECK_INT(L[4].num_unit, 0);
            CHECK(L[5].num == INT64_MAX);
            CHECK_PSTR(q, L[5].num_unit, "nanoseconds");
        }
    }

    CHECK_PSTR(q, q->drop_frames, "runtime\\..*");
    CHECK_PSTR(q, q->keep_frames, "runtime\\.main");
    CHECK_INT(q->time_nanos, 1700000000123456789LL);
    CHECK_INT(q->duration_nanos, 10000000000LL);
    CHECK_PSTR(q, q->period_type.type, "space");
    CHECK_PSTR(q, q->period_type.unit, "bytes");
    CHECK_INT(q->period, 524288);
    CHECK_INT(q->n_comments, 3);
    if (q->n_comments == 3) {
        CHECK_PSTR(q, q->comments[0], "first comment");
        CHECK_PSTR(q, q->comments[1], "#second");
        CHECK_PSTR(q, q->comments[2], "first comment");
    }
    CHECK_PSTR(q, q->default_sample_type, "alloc_space");
    CHECK_PSTR(q, q->doc_url, "https://example.com/doc");
}

static void test_round_trip(void)
{
    pprof_profile *p = full_profile();
    pprof_buf raw = {0}, gz = {0}, again = {0};
    pprof_profile *q = round_trip(p, false, &raw);
    check_full(q);
    pprof_profile *r = round_trip(p, true, &gz);
    check_full(r);
    CHECK(gz.len < raw.len + 64);

    /* The string table is rebuilt in pprof's first-seen order; the decoder
     * interns wire strings in wire order, so q's table shows it. */
    if (q && q->n_strings > 8) {
        CHECK_STR(q->strings[0], "");
        CHECK_STR(q->strings[1], "alloc_objects");
        CHECK_STR(q->strings[2], "count");
        CHECK_STR(q->strings[3], "alloc_space");
        CHECK_STR(q->strings[4], "bytes");
        CHECK_STR(q->strings[5], "delta");
        CHECK_STR(q->strings[6], "endpoint"); /* then labels, then mappings ... */
        CHECK_STR(q->strings[7], "/export");
        CHECK_STR(q->strings[8], "/import");
        CHECK_STR(q->strings[q->n_strings - 1], "https://example.com/doc");
    }

    /* Encoding is deterministic: decode(encode(p)) encodes to the same bytes. */
    if (q) {
        pprof_error err;
        CHECK_INT(pprof_profile_encode(&again, q, false, &err), 0);
        CHECK(again.len == raw.len && memcmp(again.data, raw.data, raw.len) == 0);
    }

    /* Appends to a non-empty buffer. */
    pprof_buf pre = {0};
    pprof_buf_puts(&pre, "xyz");
    pprof_error err;
    CHECK_INT(pprof_profile_encode(&pre, p, false, &err), 0);
    CHECK(pre.len == raw.len + 3 && memcmp(pre.data + 3, raw.data, raw.len) == 0);

    pprof_buf_release(&pre);
    pprof_buf_release(&raw);
    pprof_buf_release(&gz);
    pprof_buf_release(&again);
    pprof_profile_free(q);
    pprof_profile_free(r);
    pprof_profile_free(p);
}

/* Labels are written string labels first, each group sorted by key, and
 * labels with neither a string, a number nor a unit do not survive. */
static void test_label_order(void)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    pprof_function f = {.id = 1, .name = S(p, "f")};
    uint32_t fi, li;
    pprof_profile_add_function(&fi, p, &f);
    pprof_line ln = {fi, 1, 0};
    pprof_location loc = {.id = 1, .mapping = PPROF_NONE};
    pprof_profile_add_location(&li, p, &loc, &ln, 1);
    pprof_label lab[] = {
        {.key = S(p, "zz"), .num = 1},
        {.key = S(p, "b"), .str = S(p, "b1")},
        {.key = S(p, "a"), .num = 0},          /* dropped by the decoder */
        {.key = S(p, "ab"), .num = 2, .num_unit = S(p, "ms")},
        {.key = S(p, "a"), .str = S(p, "a1")},
        {.key = S(p, "b"), .str = S(p, "b2")},
        {.key = S(p, "a"), .num = 0, .num_unit = S(p, "s")}, /* kept: has a unit */
    };
    int64_t v = 1;
    pprof_profile_add_sample(p, &li, 1, &v, lab, 7);
    pprof_buf b = {0};
    pprof_profile *q = round_trip(p, false, &b);
    if (q && q->n_samples == 1) {
        CHECK_INT(q->samples[0].n_labels, 6);
        if (q->samples[0].n_labels == 6) {
            const pprof_label *L = q->labels + q->samples[0].labels_off;
            CHECK_PSTR(q, L[0].key, "a");
            CHECK_PSTR(q, L[0].str, "a1");
            CHECK_PSTR(q, L[1].str, "b1");
            CHECK_PSTR(q, L[2].str, "b2");
            CHECK_PSTR(q, L[3].key, "a");
            CHECK_PSTR(q, L[3].num_unit, "s");
            CHECK_PSTR(q, L[4].key, "ab");
            CHECK_INT(L[4].num, 2);
            CHECK_PSTR(q, L[5].key, "zz");
        }
        /* strings: "", samples, count, then the labels in that order */
        CHECK_STR(q->strings[3], "a");
        CHECK_STR(q->strings[4], "a1");
        CHECK_STR(q->strings[5], "b");
        CHECK_STR(q->strings[6], "b1");
        CHECK_STR(q->strings[7], "b2");
        CHECK_STR(q->strings[8], "s");
    }
    pprof_buf_release(&b);
    pprof_profile_free(q);
    pprof_profile_free(p);
}

/* Ids that are zero or repeated are replaced by index+1 (for the whole table). */
static void test_id_fallback(void)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    pprof_mapping m = {.id = 0, .file = S(p, "a.out")};
    uint32_t mi, fi[2], li[2];
    pprof_profile_add_mapping(&mi, p, &m);
    pprof_function f0 = {.id = 5, .name = S(p, "f0")}, f1 = {.id = 5, .name = S(p, "f1")};
    pprof_profile_add_function(&fi[0], p, &f0);
    pprof_profile_add_function(&fi[1], p, &f1);
    pprof_line ln0 = {fi[1], 1, 0}, ln1 = {fi[0], 2, 0};
    pprof_location l0 = {.id = 9, .mapping = mi}, l1 = {.id = 9, .mapping = mi};
    pprof_profile_add_location(&li[0], p, &l0, &ln0, 1);
    pprof_profile_add_location(&li[1], p, &l1, &ln1, 1);
    uint32_t locs[] = {li[1], li[0]};
    int64_t v = 3;
    pprof_profile_add_sample(p, locs, 2, &v, NULL, 0);
    pprof_buf b = {0};
    pprof_profile *q = round_trip(p, false, &b);
    if (q && q->n_locations == 2 && q->n_functions == 2 && q->n_mappings == 1) {
        CHECK_INT(q->mappings[0].id, 1);
        CHECK_INT(q->functions[0].id, 1);
        CHECK_INT(q->functions[1].id, 2);
        CHECK_INT(q->locations[0].id, 1);
        CHECK_INT(q->locations[1].id, 2);
        CHECK_INT(q->locations[0].mapping, 0);
        CHECK_PSTR(q, q->functions[q->lines[q->locations[0].lines_off].function].name, "f1");
        CHECK_PSTR(q, q->functions[q->lines[q->locations[1].lines_off].function].name, "f0");
        CHECK_INT(q->sample_locs[0], 1);
        CHECK_INT(q->sample_locs[1], 0);
    }
    pprof_buf_release(&b);
    pprof_profile_free(q);

    /* Out-of-range references are refused, not written. */
    pprof_error err;
    memset(&err, 0, sizeof err);
    p->sample_locs[0] = 7;
    pprof_buf_puts(&b, "keep");
    CHECK_INT(pprof_profile_encode(&b, p, true, &err), PPROF_EINVAL);
    CHECK(strstr(err.msg, "location index 7") != NULL);
    CHECK_INT(b.len, 4); /* the buffer is left as it was */
    CHECK_STR((const char *)b.data, "keep");
    p->sample_locs[0] = 1;
    p->functions[0].name = 999;
    CHECK_INT(pprof_profile_encode(&b, p, false, &err), PPROF_EINVAL);
    CHECK(strstr(err.msg, "function name") != NULL);
    pprof_buf_release(&b);
    pprof_profile_free(p);
}

/* The exact bytes of a tiny profile, as pprof's encoder writes them. */
static void test_wire_layout(void)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "a"), S(p, "b")});
    pprof_function f = {.id = 1, .name = S(p, "f")};
    uint32_t fi, li[3];
    pprof_profile_add_function(&fi, p, &f);
    pprof_line ln = {fi, 0, 0};
    for (uint64_t i = 0; i < 3; i++) {
        pprof_location loc = {.id = i + 1, .mapping = PPROF_NONE};
        pprof_profile_add_location(&li[i], p, &loc, i == 0 ? &ln : NULL, i == 0 ? 1 : 0);
    }
    int64_t v = -1;
    pprof_profile_add_sample(p, li, 2, &v, NULL, 0); /* two ids: unpacked */
    v = 300;
    pprof_profile_add_sample(p, li, 3, &v, NULL, 0); /* three ids: packed */
    pprof_buf b = {0};
    pprof_error err;
    CHECK_INT(pprof_profile_encode(&b, p, false, &err), 0);
    static const uint8_t want[] = {
        0x0a, 0x04, 0x08, 0x01, 0x10, 0x02,                         /* sample_type {1, 2} */
        0x12, 0x0f, 0x08, 0x01, 0x08, 0x02,                         /* sample: ids 1, 2 unpacked */
        0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, /* value -1 */
        0x12, 0x08, 0x0a, 0x03, 0x01, 0x02, 0x03, 0x10, 0xac, 0x02, /* ids packed, value 300 */
        0x22, 0x06, 0x08, 0x01, 0x22, 0x02, 0x08, 0x01,             /* location 1, line {fn 1} */
        0x22, 0x02, 0x08, 0x02,                                     /* location 2 */
        0x22, 0x02, 0x08, 0x03,                                     /* location 3 */
        0x2a, 0x04, 0x08, 0x01, 0x10, 0x03,                         /* function {1, name 3} */
        0x32, 0x00, 0x32, 0x01, 'a', 0x32, 0x01, 'b', 0x32, 0x01, 'f', /* strings */
        0x70, 0x00,                                                 /* default_sample_type, always */
    };
    CHECK_INT(b.len, sizeof want);
    CHECK(b.len == sizeof want && memcmp(b.data, want, sizeof want) == 0);

    /* Labels, written field by field as protobuf-c would: string labels
     * first, zero fields left out, a negative number in ten bytes. */
    {
        pprof_profile *lp = pprof_profile_new();
        pprof_profile_add_sample_type(lp, (pprof_value_type){S(lp, "a"), S(lp, "b")});
        pprof_label lb[] = {{.key = S(lp, "z")},
                            {.key = S(lp, "n"), .num = -2, .num_unit = S(lp, "u")},
                            {.key = S(lp, "k"), .str = S(lp, "v")}};
        int64_t one = 1;
        pprof_profile_add_sample(lp, NULL, 0, &one, lb, 3);
        pprof_buf lbuf = {0};
        CHECK_INT(pprof_profile_encode(&lbuf, lp, false, &err), 0);
        static const uint8_t want_sample[] = {
            0x12, 0x1d, 0x10, 0x01,                               /* sample, value 1 */
            0x1a, 0x04, 0x08, 0x03, 0x10, 0x04,                   /* k: v (strings 3, 4) */
            0x1a, 0x0f, 0x08, 0x05, 0x18, 0xfe, 0xff, 0xff, 0xff, /* n: -2 */
            0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x20, 0x06,       /* ... unit u (6) */
            0x1a, 0x02, 0x08, 0x07,                               /* z: 0, no unit */
        };
        CHECK(lbuf.len > sizeof want_sample + 2 && memcmp(lbuf.data + 6, want_sample, sizeof want_sample) == 0);
        pprof_profile *lq = NULL;
        CHECK_INT(pprof_profile_parse(&lq, lbuf.data, lbuf.len, NULL, &err), 0);
        CHECK(lq && lq->n_labels >= 2 && lq->labels[1].num == -2 &&
              strcmp(lq->strings[lq->labels[1].num_unit], "u") == 0);
        pprof_profile_free(lq);
        pprof_buf_release(&lbuf);
        pprof_profile_free(lp);
    }

    /* Comments: unpacked up to two, packed from three. */
    b.len = 0;
    pprof_profile_add_comment(p, S(p, "c1"));
    pprof_profile_add_comment(p, S(p, "c2"));
    CHECK_INT(pprof_profile_encode(&b, p, false, &err), 0);
    static const uint8_t two[] = {0x68, 0x04, 0x68, 0x05, 0x70, 0x00};
    CHECK(b.len > sizeof two && memcmp(b.data + b.len - sizeof two, two, sizeof two) == 0);
    b.len = 0;
    pprof_profile_add_comment(p, S(p, "c1"));
    CHECK_INT(pprof_profile_encode(&b, p, false, &err), 0);
    static const uint8_t three[] = {0x6a, 0x03, 0x04, 0x05, 0x04, 0x70, 0x00};
    CHECK(b.len > sizeof three && memcmp(b.data + b.len - sizeof three, three, sizeof three) == 0);
    pprof_buf_release(&b);
    pprof_profile_free(p);

    /* An empty profile: only the string table and default_sample_type. */
    p = pprof_profile_new();
    CHECK_INT(pprof_profile_encode(&b, p, false, &err), 0);
    static const uint8_t empty[] = {0x32, 0x00, 0x70, 0x00};
    CHECK(b.len == sizeof empty && memcmp(b.data, empty, sizeof empty) == 0);
    pprof_profile *q = NULL;
    CHECK_INT(pprof_profile_parse(&q, b.data, b.len, NULL, &err), 0);
    CHECK(q && q->n_samples == 0 && q->n_strings == 1);
    pprof_profile_free(q);
    b.len = 0;
    CHECK_INT(pprof_profile_encode(&b, p, true, &err), 0);
    CHECK(pprof_is_gzip(b.data, b.len));
    q = NULL;
    CHECK_INT(pprof_profile_parse(&q, b.data, b.len, NULL, &err), 0);
    pprof_profile_free(q);
    pprof_buf_release(&b);
    pprof_profile_free(p);
}

static int collect_sink(void *ctx, const uint8_t *data, size_t len)
{
    return pprof_buf_append(ctx, data, len) ? 12 : 0;
}

static int failing_sink(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx, (void)data, (void)len;
    return 28; /* ENOSPC */
}

/* A profile big enough to make the gzip writer flush several times. */
static void test_large_gzip(void)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    enum { NF = 2000, NS = 75000 };
    for (int i = 0; i < NF; i++) {
        char name[32];
        snprintf(name, sizeof name, "fn%d", i);
        pprof_function f = {.id = (uint64_t)i + 1, .name = S(p, name), .filename = S(p, "x.c")};
        uint32_t fi, li;
        pprof_profile_add_function(&fi, p, &f);
        pprof_line ln = {fi, i, 0};
        pprof_location loc = {.id = 1000000 + (uint64_t)i * 3, .address = (uint64_t)i * 16, .mapping = PPROF_NONE};
        pprof_profile_add_location(&li, p, &loc, &ln, 1);
    }
    uint64_t x = 12345;
    for (int i = 0; i < NS; i++) {
        uint32_t locs[8];
        for (int k = 0; k < 8; k++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            locs[k] = (uint32_t)((x >> 33) % NF);
        }
        /* Distinct stacks (the decoder merges identical samples). */
        locs[0] = (uint32_t)(i % NF);
        locs[1] = (uint32_t)(i / NF);
        int64_t v = (int64_t)(x >> 40);
        pprof_profile_add_sample(p, locs, 2 + (size_t)(i % 7), &v, NULL, 0);
    }
    pprof_buf gz = {0}, raw = {0}, back = {0};
    pprof_profile *q = round_trip(p, true, &gz);
    pprof_error err;
    CHECK_INT(pprof_profile_encode(&raw, p, false, &err), 0);
    CHECK(raw.len > (1u << 20));
    CHECK_INT(pprof_gunzip(&back, gz.data, gz.len, 0, &err), 0);
    CHECK(back.len == raw.len && memcmp(back.data, raw.data, raw.len) == 0);
    /* A small cap (the sniffs' head) inflates cap + 1 bytes into a buffer
     * of about that size, not a whole step of 1 MiB. */
    pprof_buf head = {0};
    CHECK_INT(pprof_gunzip(&head, gz.data, gz.len, 4096, &err), PPROF_ELIMIT);
    CHECK(head.len == 4097 && memcmp(head.data, raw.data, 4097) == 0);
    CHECK(head.cap <= 8192);
    pprof_buf_release(&head);
    /* The gzip of a profile over one staging buffer is deflated by a second
     * thread, which also feeds the output's sink: the same bytes. */
    pprof_buf streamed = {0}, sunk = {0};
    streamed.sink = collect_sink;
    streamed.sink_ctx = &sunk;
    streamed.flush_at = 100000;
    CHECK_INT(pprof_profile_encode(&streamed, p, true, &err), 0);
    CHECK_INT(pprof_buf_flush(&streamed), 0);
    CHECK(sunk.len == gz.len && memcmp(sunk.data, gz.data, gz.len) == 0);
    pprof_buf_release(&streamed);
    pprof_buf_release(&sunk);
    /* A sink that fails mid-way fails the encoding, without a crash. */
    pprof_buf failing = {0};
    failing.sink = failing_sink;
    failing.flush_at = 100000;
    CHECK(pprof_profile_encode(&failing, p, true, &err) != 0);
    pprof_buf_release(&failing);
    if (q) {
        CHECK_INT(q->n_samples, NS);
        CHECK_INT(q->n_sample_locs, p->n_sample_locs);
        CHECK(memcmp(q->sample_locs, p->sample_locs, p->n_sample_locs * sizeof *p->sample_locs) == 0);
        CHECK(memcmp(q->values, p->values, NS * sizeof *p->values) == 0);
        CHECK_INT(q->locations[NF - 1].id, 1000000 + (NF - 1) * 3);
    }
    /* Over 1 MiB of gzip is inflated by a read-ahead thread; the same bytes
     * decode the same in the calling thread alone. */
    CHECK(gz.len >= (1u << 20));
    pprof_parse_options one = {.single_threaded = true};
    pprof_profile *r = NULL;
    CHECK_INT(pprof_profile_parse(&r, gz.data, gz.len, &one, &err), 0);
    if (r && q) {
        CHECK_INT(r->n_samples, q->n_samples);
        CHECK_INT(r->n_sample_locs, q->n_sample_locs);
        CHECK(memcmp(r->sample_locs, q->sample_locs, q->n_sample_locs * sizeof *q->sample_locs) == 0);
        CHECK(memcmp(r->values, q->values, NS * sizeof *q->values) == 0);
    }
    pprof_profile_free(r);
    pprof_buf_release(&gz);
    pprof_buf_release(&raw);
    pprof_buf_release(&back);
    pprof_profile_free(q);
    pprof_profile_free(p);
}

/* ---------------------------------------------------------------- decoder */

/* A valid profile: one sample at location 1 (function 1, name "f"). */
static void base_profile(msg *m, bool packed)
{
    m->n = 0;
    f_value_type(m, 1, 1, 2);
    f_value_type(m, 1, 3, 2);
    msg s = {.n = 0};
    uint64_t ids[] = {1, 2, 1}, vals[] = {7, (uint64_t)-8};
    if (packed) {
        fpacked(&s, 1, ids, 3);
        fpacked(&s, 2, vals, 2);
    } else {
        for (int i = 0; i < 3; i++)
            fv(&s, 1, ids[i]);
        fv(&s, 2, vals[0]);
        fv(&s, 2, vals[1]);
    }
    fm(m, 2, &s);
    f_location(m, 1, 1, 10);
    f_location(m, 2, 1, 11);
    f_function(m, 1, 3);
    f_strings(m);
}

static void check_base(const pprof_profile *p)
{
    if (!p)
        return;
    CHECK_INT(p->n_samples, 1);
    CHECK_INT(p->n_sample_locs, 3);
    CHECK_INT(p->n_sample_types, 2);
    if (p->n_samples == 1 && p->n_sample_locs == 3 && p->n_sample_types == 2) {
        CHECK_INT(p->locations[p->sample_locs[0]].id, 1);
        CHECK_INT(p->locations[p->sample_locs[1]].id, 2);
        CHECK_INT(p->locations[p->sample_locs[2]].id, 1);
        CHECK_INT(p->values[0], 7);
        CHECK_INT(p->values[1], -8);
        CHECK_PSTR(p, p->sample_types[1].type, "f");
        CHECK_PSTR(p, p->functions[0].filename, "file");
    }
}

static void test_decode_packing(void)
{
    msg m;
    base_profile(&m, true);
    pprof_profile *p = parse_ok(&m);
    check_base(p);
    pprof_profile_free(p);
    base_profile(&m, false);
    p = parse_ok(&m);
    check_base(p);
    pprof_profile_free(p);

    /* Mixed: packed and unpacked pieces of the same field concatenate. */
    m.n = 0;
    f_value_type(&m, 1, 1, 2);
    f_value_type(&m, 1, 3, 2);
    msg s = {.n = 0};
    uint64_t a[] = {1}, b[] = {1};
    fv(&s, 2, 7);
    fpacked(&s, 1, a, 1);
    fv(&s, 1, 2);
    fpacked(&s, 2, (uint64_t[]){(uint64_t)-8}, 1);
    fpacked(&s, 1, b, 1);
    fm(&m, 2, &s);
    f_location(&m, 1, 1, 10);
    f_location(&m, 2, 1, 11);
    f_function(&m, 1, 3);
    f_strings(&m);
    p = parse_ok(&m);
    check_base(p);
    pprof_profile_free(p);
}

static void test_decode_unknown_fields(void)
{
    msg m;
    base_profile(&m, true);
    /* Location 2 again, with unknown fields and a second line, in function
     * 9 below (a function no location uses would be dropped): base_profile
     * without its location 2, then this one. */
    m.n = 0;
    f_value_type(&m, 1, 1, 2);
    f_value_type(&m, 1, 3, 2);
    msg s = {.n = 0};
    uint64_t ids[] = {1, 2, 1}, vals[] = {7, (uint64_t)-8};
    fpacked(&s, 1, ids, 3);
    fpacked(&s, 2, vals, 2);
    fm(&m, 2, &s);
    f_location(&m, 1, 1, 10);
    msg loc = {.n = 0}, ln = {.n = 0}, ln2 = {.n = 0};
    fv(&loc, 1, 2);
    fv(&ln, 1, 1);
    fv(&ln, 2, 11);
    fm(&loc, 4, &ln);
    fs(&loc, 77, "ignored");
    fv(&ln2, 1, 9);
    fv(&ln2, 78, 1);
    fm(&loc, 4, &ln2);
    fm(&m, 4, &loc);
    f_function(&m, 1, 3);
    f_strings(&m);
    /* Unknown fields of every wire type, at the top level and in a message. */
    fv(&m, 100, 12345);
    fbytes(&m, 101, "junk", 4);
    put_tag(&m, 102, 5);
    memcpy(m.b + m.n, "\1\2\3\4", 4);
    m.n += 4;
    put_tag(&m, 103, 1);
    memcpy(m.b + m.n, "\1\2\3\4\5\6\7\x8", 8);
    m.n += 8;
    msg fn = {.n = 0};
    fv(&fn, 1, 9);
    fv(&fn, 2, 4);
    fs(&fn, 77, "ignored");
    fv(&fn, 78, 1);
    fm(&m, 5, &fn);
    pprof_profile *p = parse_ok(&m);
    check_base(p);
    if (p) {
        CHECK_INT(p->n_functions, 2);
        if (p->n_functions == 2)
            CHECK_PSTR(p, p->functions[1].name, "file");
    }
    pprof_profile_free(p);
}

static void test_decode_errors(void)
{
    msg m, s;

    /* A field with the wrong wire type. */
    base_profile(&m, true);
    fv(&m, 2, 5); /* sample as a varint */
    EXPECT_FAIL(&m, PPROF_EWIRE, "type mismatch");
    base_profile(&m, true);
    fs(&m, 9, "x"); /* time_nanos as bytes */
    EXPECT_FAIL(&m, PPROF_EWIRE, "type mismatch");
    base_profile(&m, true);
    msg fn = {.n = 0};
    fv(&fn, 1, 2);
    fs(&fn, 2, "name"); /* string index as bytes */
    fm(&m, 5, &fn);
    EXPECT_FAIL(&m, PPROF_EWIRE, "type mismatch");
    /* wire type 3 (group) */
    base_profile(&m, true);
    put_tag(&m, 50, 3);
    EXPECT_FAIL(&m, PPROF_EWIRE, "wire type");
    /* Length-delimited top-level fields of number 0 and 2^29 (the
     * decoder's loop reads their headers itself; rd_field's words). */
    base_profile(&m, true);
    size_t at = m.n;
    fs(&m, 0, "xy");
    char want[96];
    snprintf(want, sizeof want, "invalid field number 0 at offset %zu (in profile)", at);
    EXPECT_FAIL(&m, PPROF_EWIRE, want);
    base_profile(&m, true);
    at = m.n;
    fs(&m, 1u << 29, "xy");
    snprintf(want, sizeof want, "invalid field number 536870912 at offset %zu (in profile)", at);
    EXPECT_FAIL(&m, PPROF_EWIRE, want);
    base_profile(&m, true);
    fs(&m, (1u << 29) - 1, "xy"); /* the largest: an unknown field, skipped */
    pprof_profile_free(parse_ok(&m));

    /* string_table[0] must be "". */
    m.n = 0;
    fs(&m, 6, "x");
    EXPECT_FAIL(&m, PPROF_EWIRE, "string_table[0]");
    /* No string table at all. */
    m.n = 0;
    f_value_type(&m, 1, 0, 0);
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "string table");
    /* No string table, a sample naming no defined location and one location
     * held pending: promoting none used to memcpy to a NULL wire order (UBSan;
     * found by fuzz_window). */
    static const uint8_t no_loc_defined[] = {0x12, 0x0e, 0x0a, 0x02, 0xe5, 0x01, 0x12, 0x02, 0x28,
                                             0x05, 0x20, 0x77, 0x08, 0x08, 0x10, 0x0a, 0x22, 0x08,
                                             0x08, 0x02, 0x22, 0x04, 0x28, 0x05, 0x20, 0x77};
    memcpy(m.b, no_loc_defined, sizeof no_loc_defined);
    m.n = sizeof no_loc_defined;
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "string table");
    /* Two locations no sample uses, naming a function, and no function
     * held: the check of their lines walked the empty pending list from a
     * NULL start (UBSan; found by fuzz_window). */
    static const uint8_t no_fn_held[] = {0x22, 0x08, 0x08, 0x01, 0x22, 0x04, 0x08, 0x01, 0x10, 0x0a,
                                         0x22, 0x08, 0x08, 0x02, 0x22, 0x04, 0x08, 0x02, 0x10, 0x14,
                                         0x32, 0x00, 0x32, 0x01, 0x76, 0x32, 0x01, 0x77};
    memcpy(m.b, no_fn_held, sizeof no_fn_held);
    m.n = sizeof no_fn_held;
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "function id 1 not found");
    /* Forty repeats of one sample with no location: the batched merge
     * prefetched from sample_locs + offset with sample_locs still NULL
     * (UBSan; found by fuzz_inflate). */
    m.b[0] = 0x32, m.b[1] = 0x00;
    m.n = 2;
    for (int r = 0; r < 40; r++) {
        static const uint8_t rep[] = {0x12, 0x04, 0x12, 0x02, 0x01, 0x02};
        memcpy(m.b + m.n, rep, sizeof rep);
        m.n += sizeof rep;
    }
    expect_fail(&m, PPROF_ESEMANTIC, PPROF_EWIRE, "missing sample type", __LINE__);

    /* String index out of range, naming the field. */
    base_profile(&m, true);
    f_function(&m, 2, 99);
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "function name");
    base_profile(&m, true);
    fv(&m, 14, 5);
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "default_sample_type");
    base_profile(&m, true);
    s.n = 0;
    fv(&s, 1, 5); /* label key 5: out of range */
    fv(&s, 3, 1);
    msg smp = {.n = 0};
    fv(&smp, 1, 1);
    fv(&smp, 2, 1);
    fv(&smp, 2, 1);
    fm(&smp, 3, &s);
    fm(&m, 2, &smp);
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "label key");
    base_profile(&m, true);
    fv(&m, 13, (uint64_t)-1); /* negative comment index */
    EXPECT_FAIL(&m, PPROF_EWIRE, "comment");

    /* Location ids: duplicate, zero, dangling; function ids. */
    base_profile(&m, true);
    f_location(&m, 2, 1, 12);
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "multiple locations with same id");
    base_profile(&m, true);
    f_location(&m, 0, 1, 12);
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "reserved id=0");
    base_profile(&m, true);
    smp.n = 0;
    fv(&smp, 1, 0);
    fv(&smp, 2, 1);
    fv(&smp, 2, 1);
    fm(&m, 2, &smp);
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "location id 0");
    base_profile(&m, true);
    smp.n = 0;
    fv(&smp, 1, 42);
    fv(&smp, 2, 1);
    fv(&smp, 2, 1);
    fm(&m, 2, &smp);
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "nil location");
    base_profile(&m, true);
    f_location(&m, 3, 77, 1);
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "nil function");
    base_profile(&m, true);
    f_function(&m, 1, 3);
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "multiple functions with same id");
    base_profile(&m, true);
    msg mp = {.n = 0};
    fv(&mp, 2, 0x1000);
    fm(&m, 3, &mp);
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "reserved ID=0");

    /* Value counts. */
    base_profile(&m, true);
    smp.n = 0;
    fv(&smp, 1, 1);
    fv(&smp, 2, 1);
    fm(&m, 2, &smp);
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "mismatch");
    m.n = 0;
    smp.n = 0;
    fv(&smp, 2, 1);
    fm(&m, 2, &smp);
    fs(&m, 6, "");
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "missing sample type");

    /* Two time_nanos: concatenated profiles. */
    base_profile(&m, true);
    fv(&m, 9, 1000);
    fv(&m, 9, 2000);
    EXPECT_FAIL(&m, PPROF_ECONCAT, "concatenated");

    /* ... but a time_nanos of 0 does not count (as in pprof). */
    base_profile(&m, true);
    fv(&m, 9, 0);
    fv(&m, 9, 2000);
    pprof_profile *t = parse_ok(&m);
    CHECK(t && t->time_nanos == 2000);
    pprof_profile_free(t);

    /* Truncated and malformed wire data. */
    base_profile(&m, true);
    m.n -= 3;
    EXPECT_FAIL(&m, PPROF_EWIRE, "exceeds");
    m.n = 0;
    put_tag(&m, 1, 0);
    for (int i = 0; i < 11; i++)
        m.b[m.n++] = 0xff;
    EXPECT_FAIL(&m, PPROF_EWIRE, "varint");

    /* Empty input. */
    pprof_profile *p = NULL;
    pprof_error err;
    CHECK_INT(pprof_profile_parse(&p, "", 0, NULL, &err), PPROF_EEMPTY);
    CHECK(p == NULL);
}

/* The decoded values of a single label, for the label-keeping rules. */
static void test_decode_labels(void)
{
    msg m;
    base_profile(&m, true);
    msg smp = {.n = 0}, l1 = {.n = 0}, l2 = {.n = 0}, l3 = {.n = 0};
    fv(&smp, 1, 1);
    fv(&smp, 2, 3);
    fv(&smp, 2, 4);
    fv(&l1, 1, 1); /* key "t", num 0, no unit: dropped */
    fv(&l2, 1, 1);
    fv(&l2, 4, 2); /* num 0 with unit "u": kept */
    fv(&l3, 1, 3);
    fv(&l3, 2, 4); /* f:file */
    fm(&smp, 3, &l1);
    fm(&smp, 3, &l2);
    fm(&smp, 3, &l3);
    fm(&m, 2, &smp);
    /* A label whose string is a second "" entry (index 5) resolves to
     * nothing and is dropped, like pprof's CLI drops it. */
    smp.n = 0;
    l1.n = 0;
    fv(&smp, 1, 2);
    fv(&smp, 2, 5);
    fv(&smp, 2, 6);
    fv(&l1, 1, 3);
    fv(&l1, 2, 5);
    fm(&smp, 3, &l1);
    fm(&smp, 3, &l3);
    fm(&m, 2, &smp);
    fs(&m, 6, "");
    pprof_profile *p = parse_ok(&m);
    if (p && p->n_samples == 3) {
        CHECK_INT(p->samples[2].n_labels, 1);
        CHECK_INT(p->n_labels, 3);
        if (p->samples[2].n_labels == 1) {
            CHECK_INT(p->samples[2].labels_off, 2);
            CHECK_PSTR(p, p->labels[2].str, "file");
        }
    }
    if (p && p->n_samples == 3) {
        const pprof_sample *s = &p->samples[1];
        CHECK_INT(s->n_labels, 2);
        if (s->n_labels == 2) {
            const pprof_label *L = p->labels + s->labels_off;
            CHECK_PSTR(p, L[0].key, "t");
            CHECK_PSTR(p, L[0].num_unit, "u");
            CHECK_INT(L[0].num, 0);
            CHECK_PSTR(p, L[1].str, "file");
        }
    }
    pprof_profile_free(p);
}

static void test_decode_gzip(void)
{
    msg m;
    base_profile(&m, true);
    pprof_profile *p = parse_ok(&m);
    pprof_buf gz = {0}, raw = {0};
    pprof_error err;
    memset(&err, 0, sizeof err);
    CHECK_INT(pprof_profile_encode(&gz, p, true, &err), 0);
    CHECK_INT(pprof_profile_encode(&raw, p, false, &err), 0);
    pprof_profile_free(p);
    p = NULL;
    CHECK_INT(pprof_profile_parse(&p, gz.data, gz.len, NULL, &err), 0);
    check_base(p);
    pprof_profile_free(p);

    /* Two concatenated gzip members are one stream (and here two profiles'
     * worth of fields, which is fine without time_nanos). */
    pprof_buf two = {0};
    pprof_buf_append(&two, gz.data, gz.len);
    pprof_buf_append(&two, gz.data, gz.len);
    p = NULL;
    CHECK_INT(pprof_profile_parse(&p, two.data, two.len, NULL, &err), PPROF_ESEMANTIC);
    CHECK(strstr(err.msg, "multiple") != NULL); /* the locations repeat */
    pprof_profile_free(p);
    pprof_buf_release(&two);

    /* Truncated. */
    p = NULL;
    int rc = pprof_profile_parse(&p, gz.data, gz.len - 5, NULL, &err);
    CHECK_INT(rc, PPROF_EGZIP);
    CHECK(strstr(err.msg, "truncated") != NULL || strstr(err.msg, "unexpected end") != NULL);
    CHECK(p == NULL);
    rc = pprof_profile_parse(&p, gz.data, 12, NULL, &err);
    CHECK_INT(rc, PPROF_EGZIP);

    /* Bad CRC (the 4 bytes before the trailing length). */
    pprof_buf bad = {0};
    pprof_buf_append(&bad, gz.data, gz.len);
    bad.data[bad.len - 8] ^= 0x55;
    rc = pprof_profile_parse(&p, bad.data, bad.len, NULL, &err);
    CHECK_INT(rc, PPROF_EGZIP);
    CHECK(strstr(err.msg, "checksum") != NULL);
    CHECK(p == NULL);
    /* Bad length. */
    memcpy(bad.data, gz.data, gz.len);
    bad.data[bad.len - 1] ^= 0x01;
    rc = pprof_profile_parse(&p, bad.data, bad.len, NULL, &err);
    CHECK_INT(rc, PPROF_EGZIP);
    CHECK(strstr(err.msg, "length") != NULL);
    /* Trailing garbage. */
    pprof_buf_append(&bad, "xx", 2);
    memcpy(bad.data, gz.data, gz.len);
    rc = pprof_profile_parse(&p, bad.data, bad.len, NULL, &err);
    CHECK_INT(rc, PPROF_EGZIP);
    CHECK(strstr(err.msg, "trailing garbage") != NULL);
    pprof_buf_release(&bad);

    /* The inflate cap. */
    pprof_parse_options opt = {.max_inflated = 16};
    rc = pprof_profile_parse(&p, gz.data, gz.len, &opt, &err);
    CHECK_INT(rc, PPROF_ELIMIT);
    CHECK(strstr(err.msg, "limit") != NULL);
    CHECK(p == NULL);
    opt.max_inflated = raw.len; /* exactly the size: fine */
    rc = pprof_profile_parse(&p, gz.data, gz.len, &opt, &err);
    CHECK_INT(rc, 0);
    pprof_profile_free(p);
    p = NULL;
    opt.max_inflated = raw.len - 1;
    CHECK_INT(pprof_profile_parse(&p, gz.data, gz.len, &opt, &err), PPROF_ELIMIT);
    pprof_buf_release(&gz);
    pprof_buf_release(&raw);

    /* gzip of nothing: empty. */
    CHECK_INT(pprof_profile_encode(&gz, NULL, true, &err), PPROF_EINVAL);
    static const uint8_t empty_gz[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
                                       0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    rc = pprof_profile_parse(&p, empty_gz, sizeof empty_gz, NULL, &err);
    CHECK_INT(rc, PPROF_EEMPTY);
    pprof_buf_release(&gz);
}

/* ---------------------------------------------------------------- -raw */

/* The expected text is go tool pprof -raw's (Go 1.19) with upstream's ":col". */
static pprof_profile *raw_profile(void)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, " alloc objects"), S(p, "count")});
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "space"), S(p, "bytes ")});
    p->default_sample_type = S(p, "space");
    p->period_type = (pprof_value_type){S(p, "space"), S(p, "bytes")};
    p->period = 524288;
    p->time_nanos = 1700000000000000000LL;
    p->duration_nanos = 1;
    pprof_profile_add_comment(p, S(p, "first comment"));
    pprof_profile_add_comment(p, S(p, "second: #x"));
    pprof_mapping m0 = {.id = 1, .start = 0x400000, .limit = 0x500000, .offset = 0x1000,
                        .file = S(p, "/bin/app"), .build_id = S(p, "abc123"), .has_functions = 1,
                        .has_filenames = 1, .has_line_numbers = 1, .has_inline_frames = 1};
    pprof_mapping m1 = {.id = 2, .file = S(p, "lib.so"), .has_filenames = 1, .has_inline_frames = 1};
    uint32_t mi0, mi1, fi[3], li[4];
    pprof_profile_add_mapping(&mi0, p, &m0);
    pprof_profile_add_mapping(&mi1, p, &m1);
    pprof_function f0 = {.id = 1, .name = S(p, "main.foo"), .system_name = S(p, "_ZN3foo"),
                         .filename = S(p, "foo.c"), .start_line = 10};
    pprof_function f1 = {.id = 2, .name = S(p, "main.bar"), .system_name = S(p, "main.bar"),
                         .filename = S(p, "bar.c"), .start_line = -3};
    pprof_function f2 = {.id = 3, .name = S(p, "baz")};
    pprof_profile_add_function(&fi[0], p, &f0);
    pprof_profile_add_function(&fi[1], p, &f1);
    pprof_profile_add_function(&fi[2], p, &f2);
    pprof_line l0[] = {{fi[0], 12, 0}, {fi[1], 7, 0}, {fi[2], 0, 0}};
    pprof_line l2[] = {{fi[1], -1, 0}}, l3[] = {{fi[2], 99, 0}};
    pprof_location L0 = {.id = 1, .address = 0x401234, .mapping = mi0};
    pprof_location L1 = {.id = 2, .mapping = PPROF_NONE};
    pprof_location L2 = {.id = 3, .address = 0x10, .mapping = mi1, .is_folded = 1};
    pprof_location L3 = {.id = 4, .address = 0x20, .mapping = PPROF_NONE};
    pprof_profile_add_location(&li[0], p, &L0, l0, 3);
    pprof_profile_add_location(&li[1], p, &L1, NULL, 0);
    pprof_profile_add_location(&li[2], p, &L2, l2, 1);
    pprof_profile_add_location(&li[3], p, &L3, l3, 1);
    pprof_label lab0[] = {{.key = S(p, "a-b"), .str = S(p, "x")}, {.key = S(p, "a"), .str = S(p, "y")},
                          {.key = S(p, "a b"), .str = S(p, "z")}, {.key = S(p, "a"), .str = S(p, "w")},
                          {.key = S(p, "b"), .str = S(p, "v v")}};
    pprof_label lab1[] = {
        {.key = S(p, "bytes"), .num = 100},
        {.key = S(p, "alloc"), .num = 5, .num_unit = S(p, "bytes")},
        {.key = S(p, "alloc"), .num = 7, .num_unit = S(p, "B")},
        {.key = S(p, "mix"), .num = 1},
        {.key = S(p, "mix"), .num = 2, .num_unit = S(p, "ms")},
        {.key = S(p, "mix2"), .num = 3, .num_unit = S(p, "ms")},
        {.key = S(p, "mix2"), .num = 4},
        {.key = S(p, "a-b"), .num = 1},
        {.key = S(p, "a"), .num = 2},
        {.key = S(p, "a b"), .num = -3},
        {.key = S(p, "k"), .str = S(p, "s")},
    };
    pprof_label lab3[] = {{.key = S(p, "zero"), .num = 0, .num_unit = S(p, "u")},
                          {.key = 0, .str = S(p, "emptykey")},
                          {.key = S(p, "u"), .num = 0, .num_unit = S(p, "seconds")}};
    uint32_t s0[] = {li[0], li[1]}, s1[] = {li[2], li[1]}, s2[] = {li[3], li[0]}, s3[] = {li[3]};
    int64_t v0[] = {1, -5}, v1[] = {INT64_MAX, INT64_MIN}, v2[] = {12345678901LL, 0}, v3[] = {3, 4};
    pprof_profile_add_sample(p, s0, 2, v0, lab0, 5);
    pprof_profile_add_sample(p, s1, 2, v1, lab1, 11);
    pprof_profile_add_sample(p, s2, 2, v2, NULL, 0);
    pprof_profile_add_sample(p, s3, 1, v3, lab3, 3);
    return p;
}

static const char raw_want[] =
    "Comment: first comment\n"
    "Comment: second: #x\n"
    "PeriodType: space bytes\n"
    "Period: 524288\n"
    "Time: 2023-11-14 22:13:20 +0000 UTC\n"
    "Duration: 1ns\n"
    "Samples:\n"
    "alloc objects/count space/bytes [dflt]\n"
    "          1         -5: 1 2 \n"
    "                a b:[z] a-b:[x] a:[y w] b:[v v]\n"
    " 9223372036854775807 -9223372036854775808: 3 2 \n"
    "                k:[s]\n"
    "                a b:[-3] a-b:[1] a:[2] alloc:[5 bytes 7 B] bytes:[100] mix2:[3 ms 4 ] mix:[1  2 ms]\n"
    " 12345678901          0: 4 1 \n"
    "          3          4: 4 \n"
    "                :[emptykey]\n"
    "                u:[0 seconds] zero:[0 u]\n"
    "Locations\n"
    "     1: 0x401234 M=1 main.foo foo.c:12:0 s=10(_ZN3foo)\n"
    "             main.bar bar.c:7:0 s=-3\n"
    "             baz :0:0 s=0()\n"
    "     2: 0x0 \n"
    "     3: 0x10 M=2 [F] main.bar bar.c:-1:0 s=-3\n"
    "     4: 0x20 baz :99:0 s=0()\n"
    "Mappings\n"
    "1: 0x400000/0x500000/0x1000 /bin/app abc123 [FN][FL][LN][IN]\n"
    "2: 0x0/0x0/0x0 lib.so  [FL][IN]\n";

/* The line of out that starts with prefix (copied into line), or "". */
static const char *line_of(const pprof_buf *out, const char *prefix, char *line, size_t n)
{
    const char *s = strstr((const char *)out->data, prefix);
    line[0] = 0;
    if (s) {
        size_t len = strcspn(s, "\n");
        snprintf(line, n, "%.*s", (int)len, s);
    }
    return line;
}

static void test_raw(void)
{
    pprof_profile *p = raw_profile();
    pprof_buf out = {0};
    CHECK_INT(pprof_write_raw(&out, p), 0);
    CHECK_STR((const char *)out.data, raw_want);

    /* Same text after an encode/decode round trip. */
    pprof_buf bytes = {0}, again = {0};
    pprof_profile *q = round_trip(p, true, &bytes);
    if (q) {
        CHECK_INT(pprof_write_raw(&again, q), 0);
        CHECK_STR((const char *)again.data, raw_want);
    }

    /* Go's time.Time and %.4v of a time.Duration. */
    static const struct {
        int64_t ns;
        const char *want;
    } times[] = {
        {1700000000000123000LL, "Time: 2023-11-14 22:13:20.000123 +0000 UTC"},
        {-1234567891LL, "Time: 1969-12-31 23:59:58.765432109 +0000 UTC"},
        {1, "Time: 1970-01-01 00:00:00.000000001 +0000 UTC"},
        {6307200000000000000LL, "Time: 2169-11-13 00:00:00 +0000 UTC"},
    }, durations[] = {
        {999, "Duration: 999n"},       {1000, "Duration: 1\xc2\xb5s"},
        {1500, "Duration: 1.5\xc2\xb5"}, {25000, "Duration: 25\xc2\xb5s"},
        {999999, "Duration: 999."},    {1234567, "Duration: 1.23"},
        {59999999999LL, "Duration: 59.9"}, {3600000000001LL, "Duration: 1h0m"},
        {-1500000000LL, "Duration: -1.5"}, {720000000000000LL, "Duration: 200h"},
    };
    char line[256];
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        p->time_nanos = times[i].ns;
        out.len = 0;
        CHECK_INT(pprof_write_raw(&out, p), 0);
        CHECK_STR(line_of(&out, "Time: ", line, sizeof line), times[i].want);
    }
    for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++) {
        p->duration_nanos = durations[i].ns;
        out.len = 0;
        CHECK_INT(pprof_write_raw(&out, p), 0);
        CHECK_STR(line_of(&out, "Duration: ", line, sizeof line), durations[i].want);
    }
    /* No Time or Duration when zero; Doc after the comments; columns. */
    p->time_nanos = p->duration_nanos = 0;
    p->doc_url = S(p, "https://example.com/x");
    p->lines[0].column = 17;
    out.len = 0;
    CHECK_INT(pprof_write_raw(&out, p), 0);
    CHECK(strstr((const char *)out.data, "Time:") == NULL);
    CHECK(strstr((const char *)out.data, "Duration:") == NULL);
    CHECK(strstr((const char *)out.data, "Comment: second: #x\nDoc: https://example.com/x\nPeriodType:") != NULL);
    CHECK(strstr((const char *)out.data, " main.foo foo.c:12:17 s=10(_ZN3foo)\n") != NULL);

    pprof_buf_release(&out);
    pprof_buf_release(&bytes);
    pprof_buf_release(&again);
    pprof_profile_free(q);
    pprof_profile_free(p);
}

/* Identical samples (same locations, same labels) are merged as they are
 * decoded: values added (saturating), the first one's place kept. */
/* Samples that differ only in labels share one location range; hiding a
 * frame shortens it once, for each of them. */
static void test_decode_shared_stacks(void)
{
    msg m = {.n = 0};
    f_value_type(&m, 1, 1, 2);
    uint64_t a[] = {1, 2, 1}, v[] = {5};
    uint64_t strs[] = {0, 2, 3}; /* label str of each sample (0: no label) */
    for (int i = 0; i < 3; i++) {
        msg smp = {.n = 0}, lab = {.n = 0};
        fpacked(&smp, 1, a, 3);
        fpacked(&smp, 2, v, 1);
        if (strs[i]) {
            fv(&lab, 1, 1);
            fv(&lab, 2, strs[i]);
            fm(&smp, 3, &lab);
        }
        fm(&m, 2, &smp);
    }
    f_location(&m, 1, 1, 10);
    f_location(&m, 2, 2, 11);
    f_function(&m, 1, 3);
    f_function(&m, 2, 5);
    f_strings(&m);
    fs(&m, 6, "g");
    pprof_profile *p = parse_ok(&m);
    if (!p)
        return;
    CHECK_INT(p->n_samples, 3);
    CHECK_INT(p->n_sample_locs, 3);
    pprof_filter_options fo = {.hide = "^g$"};
    pprof_filter_result res;
    memset(&res, 0, sizeof res);
    pprof_error err;
    memset(&err, 0, sizeof err);
    CHECK_INT(pprof_profile_filter(p, &fo, &res, &err), 0);
    CHECK(res.hide_matched);
    CHECK_INT(p->n_samples, 3);
    for (size_t i = 0; i < p->n_samples && p->n_samples == 3; i++) {
        const pprof_sample *sm = &p->samples[i];
        CHECK_INT(sm->n_locs, 2);
        for (uint32_t k = 0; k < sm->n_locs && sm->n_locs == 2; k++)
            CHECK_INT(p->locations[p->sample_locs[sm->locs_off + k]].id, 1);
    }
    pprof_profile_free(p);
}

static void test_decode_merge(void)
{
    msg m;
    base_profile(&m, true);
    msg smp = {.n = 0}, lab = {.n = 0};
    uint64_t a[] = {1, 2, 1}, b[] = {2};
    uint64_t v1[] = {3, (uint64_t)INT64_MAX}, v2[] = {1, 1}, v3[] = {10, 10};
    fpacked(&smp, 1, a, 3);
    fpacked(&smp, 2, v1, 2);
    fm(&m, 2, &smp);
    smp.n = 0;
    fpacked(&smp, 1, b, 1);
    fpacked(&smp, 2, v2, 2);
    fm(&m, 2, &smp);
    smp.n = 0;
    fpacked(&smp, 1, a, 3);
    fpacked(&smp, 2, v2, 2);
    fv(&lab, 1, 3);
    fv(&lab, 2, 4);
    fm(&smp, 3, &lab); /* same stack, a label: another sample */
    fm(&m, 2, &smp);
    smp.n = 0;
    fpacked(&smp, 1, a, 3);
    fpacked(&smp, 2, v3, 2);
    fm(&m, 2, &smp);
    pprof_profile *p = parse_ok(&m);
    if (p) {
        CHECK_INT(p->n_samples, 3);
        CHECK_INT(p->n_sample_locs, 4); /* the labelled sample shares the first one's stack */
        CHECK_INT(p->n_labels, 1);
    }
    if (p && p->n_samples == 3)
        CHECK_INT(p->samples[2].locs_off, p->samples[0].locs_off);
    if (p && p->n_samples == 3) {
        CHECK_INT(p->values[0], 7 + 3 + 10);
        CHECK(p->values[1] == INT64_MAX); /* -8 + INT64_MAX + 10 saturates */
        CHECK_INT(p->samples[1].n_locs, 1);
        CHECK_INT(p->values[2], 1);
        CHECK_INT(p->samples[2].n_labels, 1);
        CHECK_INT(p->samples[2].n_locs, 3);
        CHECK_INT(p->values[4], 1);
    }
    pprof_profile_free(p);
}

/* Locations are numbered as samples first use them, then put in wire order
 * in place, a cycle of the permutation at a time: here cycles of 1, 2, 3
 * and 6 locations. Each keeps its address, line and mapping, and each
 * reference names it. */
static void test_decode_location_order(void)
{
    /* first use: ids[i] = p[i] + 1, p of cycles (0) (1 2) (3 4 5) (6 .. 11) */
    static const uint64_t ids[] = {1, 3, 2, 5, 6, 4, 8, 9, 10, 11, 12, 7};
    enum { N = sizeof ids / sizeof ids[0] };
    msg *m = new_profile_msg();
    if (!m)
        return;
    msg smp = {.n = 0};
    uint64_t one[] = {1};
    fpacked(&smp, 1, ids, N);
    fpacked(&smp, 2, one, 1);
    fm(m, 2, &smp);
    for (uint64_t mid = 1; mid <= 3; mid++) {
        msg mp = {.n = 0};
        fv(&mp, 1, mid);
        fv(&mp, 2, mid << 20);
        fv(&mp, 3, (mid + 1) << 20);
        fm(m, 3, &mp);
    }
    for (uint64_t id = 1; id <= N; id++) {
        msg loc = {.n = 0}, ln = {.n = 0};
        fv(&loc, 1, id);
        fv(&loc, 2, id % 3 + 1);
        fv(&loc, 3, id * 16);
        fv(&ln, 1, 1);
        fv(&ln, 2, id * 10);
        fm(&loc, 4, &ln);
        fm(m, 4, &loc);
    }
    f_function(m, 1, 3);
    f_strings(m);
    pprof_profile *p = parse_ok(m);
    if (p) {
        CHECK_INT(p->n_locations, N);
        CHECK_INT(p->n_sample_locs, N);
    }
    if (p && p->n_locations == N && p->n_sample_locs == N) {
        size_t bad = 0;
        for (size_t k = 0; k < N; k++) {
            const pprof_location *l = &p->locations[k];
            bad += l->id != k + 1 || l->address != l->id * 16 || l->n_lines != 1 ||
                   p->lines[l->lines_off].line != (int64_t)l->id * 10 || l->mapping == PPROF_NONE ||
                   p->mappings[l->mapping].id != l->id % 3 + 1;
            bad += p->locations[p->sample_locs[k]].id != ids[k];
        }
        CHECK_INT(bad, 0);
    }
    pprof_profile_free(p);
    free(m);
}

/* Location ids of every varint length in long packed lists (read 8 bytes
 * at a time up to 4-byte varints, byte by byte beyond), samples before
 * their locations, one id past 2^32 in the middle: each reference names
 * the right location, and repeated samples merge before and after it. */
static void test_decode_wide_ids(void)
{
    static const uint64_t ids[] = {1, 127, 128, 300, 16383, 16384, 2097151, 2097152, 268435455,
                                   268435456, 4294967294u, 4294967295u, 77, 5, 9, 2000000};
    enum { N = sizeof ids / sizeof ids[0] };
    uint64_t big = ((uint64_t)1 << 32) + 7;
    msg *m = new_profile_msg();
    if (!m)
        return;
    msg smp = {.n = 0};
    uint64_t one[] = {1}, lst[N], lst2[N + 1];
    for (size_t i = 0; i < N; i++)
        lst[i] = ids[N - 1 - i];
    memcpy(lst2, lst, sizeof lst);
    lst2[N] = big;
    /* sample 0: all ids; sample 1: all ids and big; sample 2 = sample 0;
     * sample 3 = sample 1; sample 4: ids in the other order, then = 0. */
    const uint64_t *lists[] = {lst, lst2, lst, lst2, ids, lst};
    size_t lens[] = {N, N + 1, N, N + 1, N, N};
    for (size_t k = 0; k < 6; k++) {
        smp.n = 0;
        fpacked(&smp, 1, lists[k], lens[k]);
        one[0] = k + 1;
        fpacked(&smp, 2, one, 1);
        fm(m, 2, &smp);
    }
    for (size_t i = 0; i < N; i++)
        f_location(m, ids[i], 1, (int64_t)i + 1);
    f_location(m, big, 1, 99);
    f_function(m, 1, 3);
    f_strings(m);
    pprof_profile *p = parse_ok(m);
    if (p) {
        CHECK_INT(p->n_samples, 3);
        CHECK_INT(p->n_locations, N + 1);
    }
    if (p && p->n_samples == 3) {
        CHECK_INT(p->values[0], 1 + 3 + 6);
        CHECK_INT(p->values[1], 2 + 4);
        CHECK_INT(p->values[2], 5);
        for (size_t k = 0; k < 3; k++) {
            const pprof_sample *sm = &p->samples[k];
            const uint64_t *want = k == 0 ? lst : k == 1 ? lst2 : ids;
            CHECK_INT(sm->n_locs, k == 1 ? N + 1 : N);
            for (size_t i = 0; i < sm->n_locs && i < N + 1; i++) {
                const pprof_location *l = &p->locations[p->sample_locs[sm->locs_off + i]];
                CHECK(l->id == want[i]);
                CHECK_INT(p->lines[l->lines_off].line, l->id == big ? 99 : (int64_t)(want == ids ? i : N - 1 - i) + 1);
            }
        }
        /* Locations in wire order. */
        CHECK(p->locations[0].id == 1 && p->locations[N].id == big);
    }
    pprof_profile_free(p);

    /* An undefined location is named by its first reference, also when the
     * ids grew past 2^32 on the way. */
    for (int wide = 0; wide < 2; wide++) {
        m->n = 0;
        f_value_type(m, 1, 1, 2);
        uint64_t a[] = {1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, b[] = {1, 2, 44, 33};
        smp.n = 0;
        fpacked(&smp, 1, a, 12);
        fpacked(&smp, 2, one, 1);
        fm(m, 2, &smp);
        if (wide) {
            smp.n = 0;
            fpacked(&smp, 1, &big, 1);
            fpacked(&smp, 2, one, 1);
            fm(m, 2, &smp);
            f_location(m, big, 1, 3);
        }
        smp.n = 0;
        fpacked(&smp, 1, b, 4);
        fpacked(&smp, 2, one, 1);
        fm(m, 2, &smp);
        f_location(m, 1, 1, 1);
        f_location(m, 2, 1, 2);
        f_function(m, 1, 3);
        f_strings(m);
        EXPECT_FAIL(m, PPROF_ESEMANTIC, "location id 44 is not defined");
    }
    free(m);
}

/* Locations of every shape decode alike: the common one (fast_location)
 * and the others (unknown fields, longer tags: slow_location). */
static void test_decode_location_shapes(void)
{
    for (int shape = 0; shape < 4; shape++) {
        msg m, smp = {.n = 0}, loc = {.n = 0}, ln = {.n = 0};
        m.n = 0;
        f_value_type(&m, 1, 1, 2);
        uint64_t ids[] = {9}, one[] = {1};
        fpacked(&smp, 1, ids, 1);
        fpacked(&smp, 2, one, 1);
        fm(&m, 2, &smp);
        /* a line before the id, a line of one field, fields out of order, the
         * id twice (the last one counts) */
        fv(&ln, 3, 7);
        fv(&ln, 2, (uint64_t)-5);
        fv(&ln, 1, 1);
        if (shape == 1)
            fv(&ln, 9, 1); /* unknown field in a line */
        fm(&loc, 4, &ln);
        fv(&loc, 1, 4);
        msg ln2 = {.n = 0};
        fv(&ln2, 1, 1); /* a line of a function only */
        fm(&loc, 4, &ln2);
        fv(&loc, 3, 0x1234);
        if (shape == 2)
            fv(&loc, 12, 5); /* unknown field */
        fv(&loc, 2, 1);
        fv(&loc, 5, 1);
        if (shape == 3) {
            loc.b[loc.n++] = 0x88; /* field 1 in a two-byte tag */
            loc.b[loc.n++] = 0x00;
            put_v(&loc, 9);
        } else {
            fv(&loc, 1, 9);
        }
        fm(&m, 4, &loc);
        msg mp = {.n = 0};
        fv(&mp, 1, 1);
        fm(&m, 3, &mp);
        f_function(&m, 1, 3);
        f_strings(&m);
        pprof_profile *p = parse_ok(&m);
        if (p)
            CHECK_INT(p->n_locations, 1);
        if (p && p->n_locations == 1 && p->n_mappings == 1) {
            const pprof_location *l = &p->locations[0];
            CHECK_INT(l->id, 9);
            CHECK_INT(l->address, 0x1234);
            CHECK_INT(l->mapping, 0);
            CHECK(l->is_folded);
            CHECK_INT(l->n_lines, 2);
            if (l->n_lines == 2) {
                const pprof_line *a = &p->lines[l->lines_off], *b = a + 1;
                CHECK_INT(a->line, -5);
                CHECK_INT(a->column, 7);
                CHECK_INT(p->functions[a->function].id, 1);
                CHECK_INT(b->line, 0);
                CHECK_INT(b->column, 0);
            }
        }
        pprof_profile_free(p);
    }
    /* Functions too: fields out of order and repeated, an unknown field, a
     * two-byte tag, a negative start line. */
    for (int shape = 0; shape < 3; shape++) {
        msg m, fn = {.n = 0};
        base_profile(&m, true);
        m.n = 0;
        f_value_type(&m, 1, 1, 2);
        f_value_type(&m, 1, 3, 2);
        uint64_t ids[] = {1, 2, 1}, vals[] = {7, 1};
        msg smp = {.n = 0};
        fpacked(&smp, 1, ids, 3);
        fpacked(&smp, 2, vals, 2);
        fm(&m, 2, &smp);
        f_location(&m, 1, 1, 10);
        f_location(&m, 2, 1, 11);
        fv(&fn, 4, 3);
        fv(&fn, 5, (uint64_t)-12);
        fv(&fn, 2, 1);
        fv(&fn, 1, 1);
        if (shape == 1)
            fv(&fn, 6, 1);
        if (shape == 2) {
            fn.b[fn.n++] = 0x98; /* field 3 in a two-byte tag */
            fn.b[fn.n++] = 0x00;
            put_v(&fn, 4);
        } else {
            fv(&fn, 3, 4);
        }
        fv(&fn, 2, 2); /* the last one counts */
        fm(&m, 5, &fn);
        f_strings(&m);
        pprof_profile *p = parse_ok(&m);
        if (p && p->n_functions == 1) {
            const pprof_function *f = &p->functions[0];
            CHECK_INT(f->id, 1);
            CHECK_PSTR(p, f->name, "u");
            CHECK_PSTR(p, f->system_name, "file");
            CHECK_PSTR(p, f->filename, "f");
            CHECK_INT(f->start_line, -12);
        } else {
            CHECK(p && p->n_functions == 1);
        }
        pprof_profile_free(p);
    }

    /* Errors are the general decoder's. */
    msg m, loc = {.n = 0}, ln = {.n = 0};
    base_profile(&m, true);
    msg fn = {.n = 0};
    fv(&fn, 1, 9);
    fv(&fn, 2, (uint64_t)-1);
    fm(&m, 5, &fn);
    EXPECT_FAIL(&m, PPROF_EWIRE, "function name: string index -1 out of range");
    base_profile(&m, true);
    fn.n = 0;
    fv(&fn, 1, 9);
    fv(&fn, 4, UINT32_MAX);
    fm(&m, 5, &fn);
    EXPECT_FAIL(&m, PPROF_EWIRE, "function filename: string index 4294967295 out of range");
    base_profile(&m, true);
    fbytes(&ln, 1, "x", 1); /* function id as bytes */
    fv(&loc, 1, 7);
    fm(&loc, 4, &ln);
    fm(&m, 4, &loc);
    EXPECT_FAIL(&m, PPROF_EWIRE, "type mismatch: line function_id field 1");
    base_profile(&m, true);
    loc.n = 0;
    fv(&loc, 1, 7);
    put_tag(&loc, 4, 2);
    put_v(&loc, 9); /* a line longer than the location */
    fv(&loc, 1, 1);
    fm(&m, 4, &loc);
    EXPECT_FAIL(&m, PPROF_EWIRE, "exceeds");
}

/* Locations and functions no sample uses yet when they arrive are held as
 * their bytes: promoted when a later message uses them, in wire order; the
 * lines of those left over checked at the end, the first bad one named. */
static void test_decode_held(void)
{
    msg m, smp;
    uint64_t one[] = {1};

    /* Location 3 (no lines) and 4 arrive before the samples that use them;
     * 5 stays unused. Function 2 arrives before location 4, which uses it;
     * function 9 is never used. */
    m.n = 0;
    f_value_type(&m, 1, 1, 2);
    f_function(&m, 2, 3);
    msg loc = {.n = 0};
    fv(&loc, 1, 3);
    fm(&m, 4, &loc);
    f_location(&m, 5, 9, 50);
    f_location(&m, 4, 2, 40);
    smp.n = 0;
    uint64_t a[] = {4, 3, 1};
    fpacked(&smp, 1, a, 3);
    fpacked(&smp, 2, one, 1);
    fm(&m, 2, &smp);
    f_location(&m, 1, 1, 10);
    f_function(&m, 9, 4);
    f_function(&m, 1, 3);
    f_strings(&m);
    pprof_profile *p = parse_ok(&m);
    if (p) {
        CHECK_INT(p->n_locations, 3);
        CHECK_INT(p->n_functions, 2);
    }
    if (p && p->n_locations == 3 && p->n_functions == 2 && p->n_sample_locs == 3) {
        CHECK_INT(p->locations[0].id, 3); /* wire order */
        CHECK_INT(p->locations[1].id, 4);
        CHECK_INT(p->locations[2].id, 1);
        CHECK_INT(p->locations[0].n_lines, 0);
        CHECK_INT(p->locations[1].n_lines, 1);
        CHECK_INT(p->lines[p->locations[1].lines_off].line, 40);
        CHECK_INT(p->functions[p->lines[p->locations[1].lines_off].function].id, 2);
        CHECK_INT(p->functions[0].id, 2);
        CHECK_INT(p->functions[1].id, 1);
        CHECK_INT(p->locations[p->sample_locs[0]].id, 4);
        CHECK_INT(p->locations[p->sample_locs[1]].id, 3);
    }
    pprof_profile_free(p);

    /* Unused locations naming no function: the first in wire order is
     * named, whether its function id is 0 or unknown, small or hashed;
     * a used location's bad line comes first. */
    static const struct {
        uint64_t loc_a, fn_a, loc_b, fn_b;
        bool used_bad;
        const char *want;
    } cases[] = {
        {7, 99, 8, 0, false, "location id: 7 has a line with nil function (function id 99 not found)"},
        {8, 0, 7, 99, false, "location id: 8 has a line with nil function (function id 0 not found)"},
        {7, 1, 8, 99, false, "location id: 8 has a line with nil function (function id 99 not found)"},
        {7, 9, 8, (uint64_t)1 << 40, false, "function id 1099511627776 not found"},
        {7, (uint64_t)1 << 40, 8, 0, false, "location id: 7 has a line with nil function (function id 1099511627776"},
        {7, 99, 8, 0, true, "location id: 2 has a line with nil function (function id 77 not found)"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        base_profile(&m, true);
        if (cases[k].used_bad) {
            m.n = 0;
            f_value_type(&m, 1, 1, 2);
            f_value_type(&m, 1, 3, 2);
            smp.n = 0;
            uint64_t ids[] = {1, 2};
            fpacked(&smp, 1, ids, 2);
            uint64_t vals[] = {1, 1};
            fpacked(&smp, 2, vals, 2);
            fm(&m, 2, &smp);
            f_location(&m, 1, 1, 10);
        }
        f_location(&m, 6, 9, 60); /* names a function no used location names: fine */
        f_location(&m, cases[k].loc_a, cases[k].fn_a, 1);
        f_location(&m, cases[k].loc_b, cases[k].fn_b, 2);
        if (cases[k].used_bad)
            f_location(&m, 2, 77, 11);
        f_function(&m, 9, 4);
        if (cases[k].used_bad) {
            f_function(&m, 1, 3);
            f_strings(&m);
        }
        EXPECT_FAIL(&m, PPROF_ESEMANTIC, cases[k].want);
    }

    /* Without the bad ones, the same profile parses. */
    base_profile(&m, true);
    f_location(&m, 6, 9, 60);
    f_location(&m, 7, 1, 1);
    f_function(&m, 9, 4);
    p = parse_ok(&m);
    if (p)
        CHECK_INT(p->n_locations, 2);
    pprof_profile_free(p);

    /* An unused function naming a string past the table, found again. */
    base_profile(&m, true);
    f_function(&m, 5, 4);
    f_function(&m, 6, 40);
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "function name 2: string index 40 out of range");

    /* A held location whose id a decoded location repeats. */
    m.n = 0;
    f_value_type(&m, 1, 1, 2);
    f_location(&m, 1, 1, 10);
    smp.n = 0;
    fpacked(&smp, 1, one, 1);
    fpacked(&smp, 2, one, 1);
    fm(&m, 2, &smp);
    f_location(&m, 1, 1, 11);
    f_function(&m, 1, 3);
    f_strings(&m);
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "multiple locations with same id: 1");
}

/* A sample of the given location ids and value 1. */
static void f_sample(msg *m, const uint64_t *ids, size_t n)
{
    msg smp = {.n = 0};
    uint64_t one[] = {1};
    fpacked(&smp, 1, ids, n);
    fpacked(&smp, 2, one, 1);
    fm(m, 2, &smp);
}

/* While the samples hold wire ids (all below 2^32), the locations they use
 * are numbered in wire order as they arrive, whatever their ids; samples
 * after them are merged on wire ids still, and a location held (unused
 * when it came) is promoted when one of them uses it. */
static void test_decode_raw_order(void)
{
    msg m;
    m.n = 0;
    f_value_type(&m, 1, 1, 2);
    uint64_t s0[] = {5, 2, 9}, s1[] = {2, 7}, s2[] = {9, 4};
    f_sample(&m, s0, 3);
    f_sample(&m, s1, 2);
    f_location(&m, 9, 1, 90);
    f_location(&m, 4, 1, 40); /* unused yet: held */
    f_location(&m, 2, 1, 20);
    f_location(&m, 7, 1, 70);
    f_location(&m, 5, 1, 50);
    f_sample(&m, s2, 2);      /* uses 4 */
    f_sample(&m, s0, 3);      /* merges into the first */
    f_function(&m, 1, 3);
    f_strings(&m);
    pprof_profile *p = parse_ok(&m);
    static const uint64_t want_ids[] = {9, 4, 2, 7, 5};
    static const uint64_t want_refs[] = {5, 2, 9, 2, 7, 9, 4};
    if (p) {
        CHECK_INT(p->n_locations, 5);
        CHECK_INT(p->n_samples, 3);
        CHECK_INT(p->n_sample_locs, 7);
    }
    if (p && p->n_locations == 5 && p->n_sample_locs == 7 && p->n_samples == 3) {
        for (size_t i = 0; i < 5; i++) {
            CHECK_INT(p->locations[i].id, want_ids[i]);
            CHECK_INT(p->locations[i].n_lines, 1);
            CHECK_INT(p->lines[p->locations[i].lines_off].line, (int64_t)want_ids[i] * 10);
        }
        for (size_t i = 0; i < 7; i++)
            CHECK_INT(p->locations[p->sample_locs[i]].id, want_refs[i]);
        CHECK_INT(p->values[0], 2);
    }
    pprof_profile_free(p);

    /* A held location whose id a later sample uses, then repeated by a
     * decoded one. */
    m.n = 0;
    f_value_type(&m, 1, 1, 2);
    uint64_t one[] = {1}, three[] = {3};
    f_sample(&m, one, 1);
    f_location(&m, 1, 1, 10);
    f_location(&m, 3, 1, 30);
    f_sample(&m, three, 1);
    f_location(&m, 3, 1, 31);
    f_function(&m, 1, 3);
    f_strings(&m);
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "multiple locations with same id: 3");

    /* An id of 2^32 or more after the locations ends raw-id mode there:
     * the location it names, held, is promoted all the same. */
    m.n = 0;
    f_value_type(&m, 1, 1, 2);
    uint64_t big[] = {(uint64_t)1 << 33, 1};
    f_sample(&m, one, 1);
    f_location(&m, big[0], 1, 20);
    f_location(&m, 1, 1, 10);
    f_sample(&m, big, 2);
    f_function(&m, 1, 3);
    f_strings(&m);
    p = parse_ok(&m);
    if (p)
        CHECK_INT(p->n_locations, 2);
    if (p && p->n_locations == 2 && p->n_sample_locs == 3) {
        CHECK_INT(p->locations[0].id, big[0]);
        CHECK_INT(p->locations[1].id, 1);
        CHECK_INT(p->locations[p->sample_locs[1]].id, big[0]);
        CHECK_INT(p->locations[p->sample_locs[2]].id, 1);
    }
    pprof_profile_free(p);

    /* The first location referenced and not defined is named, samples
     * after the locations included. */
    m.n = 0;
    f_value_type(&m, 1, 1, 2);
    uint64_t s6[] = {1, 6}, s8[] = {8, 1};
    f_sample(&m, s8, 2);
    f_location(&m, 1, 1, 10);
    f_sample(&m, s6, 2);
    f_function(&m, 1, 3);
    f_strings(&m);
    EXPECT_FAIL(&m, PPROF_ESEMANTIC, "location id 8 is not defined");
}

/* in gzip of level 1 (one member) */
static void gzip_into(pprof_buf *gz, const uint8_t *b, size_t n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    CHECK_INT(deflateInit2(&z, 1, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    gz->len = 0;
    pprof_buf_reserve(gz, deflateBound(&z, n));
    z.next_in = (Bytef *)b;
    z.avail_in = (uInt)n;
    z.next_out = gz->data;
    z.avail_out = (uInt)gz->cap;
    CHECK_INT(deflate(&z, Z_FINISH), Z_STREAM_END);
    gz->len = z.total_out;
    deflateEnd(&z);
}

/* Held locations are not kept: the input is read again for the ones a
 * later sample uses, and for one whose line names no function; over
 * fields of every wire type and a string streamed in pieces, raw and
 * gzip, inflated in this thread or another. */
static void test_decode_held_reread(void)
{
    enum { BIG = 3u << 19 }; /* over STREAMED_STRING, and (random) over DEC_THREAD_MIN compressed */
    msg *a = new_profile_msg(), *b = new_profile_msg();
    pprof_buf raw = {0}, gz = {0};
    if (!a || !b || pprof_buf_reserve(&raw, BIG + 2 * sizeof a->b)) {
        CHECK(0);
        free(a);
        free(b);
        return;
    }
    for (int bad = 0; bad < 2; bad++) {
        uint64_t one[] = {1}, three_one[] = {3, 1};
        f_sample(a, one, 1);
        f_strings(a);
        f_location(a, 1, 1, 10);
        f_location(a, 2, 1, 20); /* held, unused */
        /* Unknown fields of each wire type, whose bytes read as fields
         * would be Locations of id 3 without lines. */
        static const uint8_t loc3[] = {4 << 3 | 2, 2, 1 << 3, 3, 4 << 3 | 2, 2, 1 << 3, 3};
        put_tag(a, 20, 1);
        memcpy(a->b + a->n, loc3, 8);
        a->n += 8;
        put_tag(a, 21, 5);
        memcpy(a->b + a->n, loc3, 4);
        a->n += 4;
        fv(a, 22, 300);
        fbytes(a, 23, loc3, 8);
        put_tag(a, 6, 2); /* string 5, streamed when inflated */
        put_v(a, BIG);
        b->n = 0;
        f_location(b, 3, bad ? 99 : 1, 30); /* held, then used */
        f_location(b, 4, 1, 40);            /* held, unused */
        f_sample(b, three_one, 2);
        f_function(b, 1, 3);
        raw.len = 0;
        pprof_buf_append(&raw, a->b, a->n);
        uint32_t x = 1;
        for (size_t i = 0; i < BIG; i++) {
            x = x * 1103515245u + 12345u;
            raw.data[raw.len++] = (uint8_t)(x >> 24);
        }
        pprof_buf_append(&raw, b->b, b->n);
        gzip_into(&gz, raw.data, raw.len);
        CHECK(gz.len > (1u << 20)); /* (the threaded path) */
        pprof_parse_options one_thread = {.single_threaded = true};
        const struct {
            const void *b;
            size_t n;
            const pprof_parse_options *opt;
        } ins[] = {{raw.data, raw.len, NULL}, {gz.data, gz.len, &one_thread}, {gz.data, gz.len, NULL}};
        for (size_t k = 0; k < sizeof ins / sizeof ins[0]; k++) {
            pprof_profile *p = NULL;
            pprof_error err;
            memset(&err, 0, sizeof err);
            int rc = pprof_profile_parse(&p, ins[k].b, ins[k].n, ins[k].opt, &err);
            if (bad) {
                CHECK_INT(rc, PPROF_ESEMANTIC);
                CHECK(strstr(err.msg, "location id: 3 has a line with nil function (function id 99 not found)") != NULL);
            } else {
                CHECK_INT(rc, 0);
            }
            if (!bad && p) {
                CHECK_INT(p->n_locations, 2);
                CHECK_INT(p->n_samples, 2);
            }
            if (!bad && p && p->n_locations == 2 && p->n_sample_locs == 3) {
                CHECK_INT(p->locations[0].id, 1);
                CHECK_INT(p->locations[1].id, 3);
                CHECK_INT(p->lines[p->locations[1].lines_off].line, 30);
                CHECK_INT(p->locations[p->sample_locs[1]].id, 3);
                CHECK_INT(p->locations[p->sample_locs[2]].id, 1);
            }
            pprof_profile_free(p);
        }
        a->n = 0;
        f_value_type(a, 1, 1, 2);
    }
    pprof_buf_release(&raw);
    pprof_buf_release(&gz);
    free(a);
    free(b);
}

/* A read that would pass max_memory fails with PPROF_ELIMIT, raw or gzip. */
static void test_decode_budget(void)
{
    msg m;
    base_profile(&m, true);
    size_t big = 3u << 20;
    pprof_buf raw = {0}, gz = {0};
    pprof_buf_append(&raw, m.b, m.n);
    uint8_t hdr[8];
    size_t h = 0;
    hdr[h++] = 6 << 3 | 2;
    for (size_t x = big; ; x >>= 7) {
        hdr[h++] = (uint8_t)(x >= 0x80 ? (x & 0x7f) | 0x80 : x);
        if (x < 0x80)
            break;
    }
    pprof_buf_append(&raw, hdr, h);
    pprof_buf_reserve(&raw, big);
    memset(raw.data + raw.len, 'x', big);
    raw.len += big;
    z_stream z;
    memset(&z, 0, sizeof z);
    CHECK_INT(deflateInit2(&z, 1, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    pprof_buf_reserve(&gz, deflateBound(&z, raw.len));
    z.next_in = raw.data;
    z.avail_in = (uInt)raw.len;
    z.next_out = gz.data;
    z.avail_out = (uInt)gz.cap;
    CHECK_INT(deflate(&z, Z_FINISH), Z_STREAM_END);
    gz.len = z.total_out;
    deflateEnd(&z);
    const pprof_buf *ins[2] = {&raw, &gz};
    for (int k = 0; k < 2; k++) {
        pprof_parse_options opt = {.max_memory = 2u << 20};
        pprof_profile *p = NULL;
        pprof_error err;
        CHECK_INT(pprof_profile_parse(&p, ins[k]->data, ins[k]->len, &opt, &err), PPROF_ELIMIT);
        CHECK(strstr(err.msg, "max_memory") != NULL);
        pprof_profile_free(p);
        p = NULL;
        opt.max_memory = 64u << 20;
        CHECK_INT(pprof_profile_parse(&p, ins[k]->data, ins[k]->len, &opt, &err), 0);
        if (p)
            CHECK_INT(p->n_samples, 1);
        pprof_profile_free(p);
    }
    pprof_buf_release(&raw);
    pprof_buf_release(&gz);
}

/* A big input's location references (reserved from its size) are in
 * memory advised for huge pages: 4 KiB faults were a fifth of the CPU of
 * -top on deep.pb.gz. */
static void test_decode_huge_locs(void)
{
    FILE *thp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!thp)
        return; /* (no transparent huge pages here) */
    fclose(thp);
    msg m;
    base_profile(&m, true);
    pprof_buf raw = {0};
    pprof_buf_append(&raw, m.b, m.n);
    size_t big = 6u << 20; /* an unknown field (skipped) makes the input big */
    msg hdr = {.n = 0};
    put_tag(&hdr, 100, 2);
    put_v(&hdr, big);
    pprof_buf_append(&raw, hdr.b, hdr.n);
    pprof_buf_reserve(&raw, big);
    memset(raw.data + raw.len, 0, big);
    raw.len += big;
    pprof_profile *p = NULL;
    pprof_error err;
    CHECK_INT(pprof_profile_parse(&p, raw.data, raw.len, NULL, &err), 0);
    check_base(p);
    /* (3M ids are reserved for 6 MiB; the advice covers the whole 2 MiB
     * pages inside, which 4 MiB in is) */
    if (p)
        CHECK_INT(vma_has_flag((const uint8_t *)p->sample_locs + (4u << 20), "hg"), 1);
    pprof_profile_free(p);
    pprof_buf_release(&raw);
}

/* pprof_alloc_huge: blocks of 2 MiB and more on 2 MiB boundaries, advised
 * for huge pages (the read-ahead's ring and slots); smaller ones plain. */
static void test_alloc_huge(void)
{
    size_t sizes[] = {100, (size_t)2 << 20, (size_t)5 << 20};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        uint8_t *b = pprof_alloc_huge(sizes[k]);
        CHECK(b != NULL);
        if (!b)
            continue;
        memset(b, 1, sizes[k]);
        if (sizes[k] >= (2u << 20)) {
            CHECK(((uintptr_t)b & ((2u << 20) - 1)) == 0);
            FILE *thp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
            if (thp) {
                fclose(thp);
                CHECK_INT(vma_has_flag(b, "hg"), 1);
                CHECK_INT(vma_has_flag(b + sizes[k] - ((size_t)1 << 20) - 1, "hg"), 1);
            }
        }
        free(b);
    }
}

/* PPROF_GROW: an array grown to 16 MiB and more is on memory advised for
 * huge pages, from its first byte (the whole mapping, so that realloc can
 * still move it) to well inside, what it held kept through a copy into
 * huge pages and through later moves. */
static void test_grow_huge(void)
{
    uint64_t *a = NULL;
    size_t cap = 0;
    const size_t steps[] = {100000, 300000, 3000000, 7000000};
    size_t filled = 0;
    bool kept = true;
    for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
        CHECK_INT(PPROF_GROW(a, cap, steps[k]), 0);
        if (!a)
            return;
        CHECK(cap >= steps[k]);
        for (size_t i = 0; i < filled; i += 1021)
            kept &= a[i] == i * 3 + 1;
        for (size_t i = filled; i < cap; i++)
            a[i] = i * 3 + 1;
        filled = cap;
        if (steps[k] * sizeof *a < ((size_t)16 << 20))
            continue;
        FILE *thp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
        if (!thp)
            continue;
        fclose(thp);
        CHECK_INT(vma_has_flag(a, "hg"), 1);
        CHECK_INT(vma_has_flag(a + cap / 2, "hg"), 1);
        CHECK_INT(vma_has_flag(a + cap - 1, "hg"), 1);
    }
    CHECK(kept);
    free(a);
}

/* How many of the len / 4096 pages from p (page-aligned) are resident. */
static size_t resident_pages(const void *p, size_t len)
{
    unsigned char vec[1024];
    size_t n = len / 4096, in = 0;
    if (n > sizeof vec || mincore((void *)p, len, vec) != 0)
        return SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        in += vec[i] & 1;
    return in;
}

/* Under a sanitizer, its shadow memory faults in its own pages as memory
 * is written (and its realloc always copies): fault counts say nothing
 * about the library there, and are not checked. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define FAULTS_COUNTED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define FAULTS_COUNTED 0
#endif
#endif
#ifndef FAULTS_COUNTED
#define FAULTS_COUNTED 1
#endif

/* A counter of this thread's page faults (the trapped ones, not those a
 * populating madvise makes), or -1 where perf events are refused. */
static int open_fault_counter(void)
{
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = PERF_TYPE_SOFTWARE;
    a.config = PERF_COUNT_SW_PAGE_FAULTS;
    a.exclude_kernel = 1;
    a.exclude_hv = 1;
    return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static uint64_t fault_count(int fd)
{
    uint64_t n = 0;
    return read(fd, &n, sizeof n) == (ssize_t)sizeof n ? n : 0;
}

/* An array PPROF_GROW grows past PPROF_GROW_HUGE from a block malloc
 * mapped on its own (this program's threshold is 64 KiB: see
 * test_decode_fill_tables) is moved, not copied: the growth takes no page
 * fault (a copy into fresh memory takes one a 2 MiB page at the least,
 * and holds both copies for a while), what it held is kept, and the whole
 * block is advised for huge pages. */
static void test_grow_huge_moves(void)
{
    int fd = open_fault_counter();
    if (fd < 0)
        return;
    uint64_t *a = NULL;
    size_t cap = 0;
    const size_t n = ((size_t)8 << 20) / sizeof *a;
    CHECK_INT(PPROF_GROW(a, cap, n), 0);
    CHECK_INT(cap, n); /* (8 MiB: not advised) */
    for (size_t i = 0; a && i < n; i++)
        a[i] = i * 5 + 2;
    uint64_t before = fault_count(fd);
    CHECK_INT(PPROF_GROW(a, cap, n + 1), 0);
    uint64_t faults = fault_count(fd) - before;
    close(fd);
    CHECK(!FAULTS_COUNTED || faults < 2);
    bool kept = a != NULL;
    for (size_t i = 0; a && i < n; i += 1021)
        kept &= a[i] == i * 5 + 2;
    CHECK(kept);
    FILE *thp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (a && thp) {
        CHECK_INT(vma_has_flag(a, "hg"), 1);
        CHECK_INT(vma_has_flag(a + cap - 1, "hg"), 1);
    }
    if (thp)
        fclose(thp);
    free(a);
}

static uint64_t slot_hash_mul(const void *ctx, size_t i)
{
    (void)ctx;
    return (uint64_t)(i + 1) * 0x9e3779b97f4a7c15u;
}

/* A fresh anonymous mapping of len bytes, none of it resident, where
 * MADV_POPULATE_WRITE works (Linux 5.14 on); else NULL. */
static uint8_t *fresh_populatable(size_t len)
{
    uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    if (m == MAP_FAILED)
        return NULL;
    bool works = madvise(m, 4096, MADV_POPULATE_WRITE) == 0;
    (void)munmap(m, len);
    if (!works)
        return NULL;
    m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    return m == MAP_FAILED ? NULL : m;
}

/* pprof_populate maps in the whole pages of a block of POPULATE_MIN bytes
 * and more, none outside it, and leaves smaller blocks alone; a hash
 * table rebuilt for many values is populated before they go in: its
 * puts take no page fault (each page's probe read and write would take
 * two on a fresh mapping). */
static void test_populate(void)
{
    const size_t len = (size_t)1 << 20;
    uint8_t *m = fresh_populatable(len);
    if (!m)
        return;
    pprof_populate(m + 4096, POPULATE_MIN - 4096); /* too small: untouched */
    CHECK_INT((long long)resident_pages(m, len), 0);
    pprof_populate(m + 100, (size_t)300 << 10); /* pages 1 .. 75 whole, 0 and 75 only in part */
    CHECK_INT((long long)resident_pages(m, len), 74);
    CHECK_INT((long long)resident_pages(m, 4096), 0);
    CHECK_INT((long long)resident_pages(m + 4096, 74 * 4096), 74);
    CHECK_INT(m[150], 0); /* (zero, writable) */
    m[150] = 1;
    (void)munmap(m, len);

    int fd = open_fault_counter();
    if (fd < 0)
        return;
    /* 64 MiB of slots: malloc maps a block that big on its own (its
     * threshold stops at 32 MiB), so the pages are fresh, 16,384 faults
     * at least unpopulated (memory malloc had would fault none) */
    uint32_t *slots = NULL;
    size_t mask = 0, n_slots = (size_t)1 << 24, n = n_slots / 16;
    uint64_t before = fault_count(fd);
    CHECK_INT(pprof_slots_rebuild(&slots, &mask, n_slots, n, slot_hash_mul, NULL), 0);
    uint64_t faults = fault_count(fd) - before;
    close(fd);
    CHECK(!FAULTS_COUNTED || faults < 64);
    size_t held = 0;
    for (size_t i = 0; slots && i < n_slots; i++)
        held += slots[i] != 0;
    CHECK_INT((long long)held, (long long)n);
    free(slots);
}

/* pprof_fill_ahead keeps the pages a step (32 KiB) past an array's
 * writes populated, no further and never past its capacity, and picks a
 * moved array up where its writes are: written front to back through
 * 4 MiB, the writes take almost no page fault (1,024 without). */
static void test_fill_ahead(void)
{
    const size_t len = (size_t)4 << 20, cap = len - ((size_t)1 << 20) + 10000; /* (not whole steps) */
    uint8_t *m = fresh_populatable(len);
    if (!m)
        return;
    pprof_fill f = {0};
    pprof_fill_ahead(&f, m, 0, cap);
    CHECK_INT((long long)resident_pages(m, len), 8); /* the first step */
    CHECK_INT((long long)resident_pages(m, 8 * 4096), 8);
    pprof_fill_ahead(&f, m, 1000, cap); /* (still well ahead) */
    CHECK_INT((long long)resident_pages(m, len), 8);
    int fd = open_fault_counter();
    uint64_t before = fd >= 0 ? fault_count(fd) : 0;
    bool ahead = true;
    for (size_t used = 0; used < cap; used += 512) {
        pprof_fill_ahead(&f, m, used, cap);
        size_t n = cap - used < 512 ? cap - used : 512;
        ahead &= (f.done >= used + n || f.done >= (cap & ~(size_t)4095)) && f.done <= used + ((size_t)36 << 10);
        memset(m + used, 7, n);
    }
    uint64_t faults = fd >= 0 ? fault_count(fd) - before : 0;
    CHECK(ahead);
    if (fd >= 0) {
        close(fd);
        CHECK(!FAULTS_COUNTED || faults < 64);
    }
    /* nothing past the capacity (the page it ends in is the writes') */
    const size_t next = (cap + 4095) & ~(size_t)4095;
    CHECK_INT((long long)resident_pages(m + next, len - next), 0);
    /* moved: the bytes written came along, the step starts from there */
    pprof_fill_ahead(&f, m + next, 100, len - next);
    CHECK(f.base == m + next);
    CHECK_INT((long long)resident_pages(m + next, len - next), 7); /* page 0 is the writes' (never populated) */
    CHECK_INT((long long)resident_pages(m + next, 4096), 0);
    (void)munmap(m, len);
}

/* A pager's host: a thread that runs the requests until told to stop. */
typedef struct pager_host {
    pprof_pager *g;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool stop;
} pager_host;

static void *pager_host_main(void *arg)
{
    pager_host *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->stop)
        pprof_pager_wait(h->g, &h->cond, &h->mu);
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* Starts a host for h->g (a pager made here); false when it cannot. */
static bool pager_host_start(pager_host *h)
{
    memset(h, 0, sizeof *h);
    if (pprof_pager_new(&h->g) != 0)
        return false;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cond, NULL);
    pprof_pager_host(h->g, &h->mu, &h->cond);
    return pthread_create(&h->thread, NULL, pager_host_main, h) == 0;
}

static void pager_host_stop(pager_host *h)
{
    pthread_mutex_lock(&h->mu);
    h->stop = true;
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->thread, NULL);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cond);
    pprof_pager_free(h->g);
}

/* A fresh mapping of len bytes (fresh_populatable) and a pager for it
 * (*g), or NULL with neither. */
static uint8_t *fresh_with_pager(size_t len, pprof_pager **g)
{
    uint8_t *m = fresh_populatable(len);
    if (m && pprof_pager_new(g) != 0) {
        (void)munmap(m, len);
        m = NULL;
    }
    return m;
}

/* The same with a pager that has a host thread (h). */
static uint8_t *fresh_with_host(size_t len, pager_host *h)
{
    uint8_t *m = fresh_populatable(len);
    if (m && !pager_host_start(h)) {
        (void)munmap(m, len);
        m = NULL;
    }
    return m;
}

/* Waits (up to some seconds) for the request of this ticket to be run. */
static bool pager_wait_done(const pprof_pager *g, size_t ticket)
{
    for (int i = 0; i < 20000 && !pprof_pager_done(g, ticket); i++)
        nanosleep(&(struct timespec){0, 100000}, NULL);
    return pprof_pager_done(g, ticket);
}

/* The pager's host makes the whole pages of a range it is asked for
 * resident, none around it, without changing a byte; a writer then
 * writes them without a page fault (each of the 32 pages would take one). */
static void test_pager_prepares(void)
{
    const size_t len = (size_t)1 << 20, from = (size_t)64 << 10, n = (size_t)128 << 10;
    pager_host h;
    uint8_t *m = fresh_with_host(len, &h);
    if (!m)
        return;
    /* (a partial page each side: only the whole pages between) */
    size_t ticket = pprof_pager_ask(h.g, m + from - 100, n + 200);
    CHECK(ticket != 0);
    CHECK(pager_wait_done(h.g, ticket));
    CHECK_INT((long long)resident_pages(m + from, n), (long long)(n / 4096));
    CHECK_INT((long long)resident_pages(m, from), 0);
    CHECK_INT((long long)resident_pages(m + from + n, len - from - n), 0);
    bool zero = true;
    for (size_t i = 0; i < len; i += 512)
        zero &= m[i] == 0;
    CHECK(zero);
    int fd = open_fault_counter();
    uint64_t before = fd >= 0 ? fault_count(fd) : 0;
    memset(m + from, 5, n);
    uint64_t faults = fd >= 0 ? fault_count(fd) - before : 0;
    if (fd >= 0)
        close(fd);
    CHECK(!FAULTS_COUNTED || faults < 4);
    pprof_pager_stats st;
    pprof_pager_stats_get(h.g, &st);
    CHECK_INT((long long)st.pages, (long long)(n / 4096));
    pager_host_stop(&h);
    (void)munmap(m, len);
}

/* What is asked and not run yet when the writer forgets is dropped: the
 * host, started after, prepares none of it (the writer may free it), and
 * the writer is not told it was run. */
static void test_pager_forget(void)
{
    const size_t len = (size_t)1 << 20;
    pprof_pager *g = NULL;
    uint8_t *m = fresh_with_pager(len, &g);
    if (!m)
        return;
    size_t t1 = pprof_pager_ask(g, m, (size_t)64 << 10);
    size_t t2 = pprof_pager_ask(g, m + ((size_t)64 << 10), (size_t)64 << 10);
    CHECK(t1 != 0 && t2 == t1 + 1);
    CHECK(!pprof_pager_done(g, t2));
    pprof_pager_forget(g);
    CHECK(pprof_pager_run(g)); /* (this thread as the host) */
    CHECK(!pprof_pager_done(g, t1) && !pprof_pager_done(g, t2)); /* (dropped: not run) */
    CHECK_INT((long long)resident_pages(m, len), 0);
    pprof_pager_stats st;
    pprof_pager_stats_get(g, &st);
    CHECK_INT((long long)st.pages, 0);
    CHECK_INT((long long)st.dropped, 2);
    /* asked after the forget: run */
    size_t t3 = pprof_pager_ask(g, m, (size_t)64 << 10);
    CHECK(pprof_pager_run(g) && pprof_pager_done(g, t3));
    CHECK_INT((long long)resident_pages(m, len), 16);
    CHECK(!pprof_pager_run(g)); /* (nothing queued) */
    pprof_pager_free(g);
    (void)munmap(m, len);
}

/* A fill taken back from its pager (pprof_fill_set_pager) with a step
 * asked and not run populates that step itself: no page it was told
 * about is left to fault in. */
static void test_fill_taken_back(void)
{
    const size_t len = (size_t)1 << 20;
    pprof_pager *g = NULL;
    uint8_t *m = fresh_with_pager(len, &g);
    if (!m)
        return;
    pprof_fill f = {0};
    pprof_fill_set_pager(&f, g);
    pprof_fill_ahead(&f, m, 0, len); /* (no host: the request waits) */
    CHECK(f.ticket != 0);
    CHECK_INT((long long)resident_pages(m, len), 0);
    pprof_fill_set_pager(&f, NULL);
    pprof_pager_free(g);
    CHECK(f.pager == NULL && f.ticket == 0);
    pprof_fill_ahead(&f, m, 100, len);
    CHECK_INT((long long)resident_pages(m, (size_t)32 << 10), 7); /* (page 0 is the writes') */
    (void)munmap(m, len);
}

/* pprof_fill_ahead with a pager: each step is asked of the host a step
 * ahead of the writes, and the host's pages are resident before the
 * writes reach them (the writer waits for each request here, so that the
 * host is never late): the writer takes almost no page fault and
 * populates nothing itself, and nothing is resident more than two steps
 * and a page past its writes. */
static void test_fill_paged(void)
{
    const size_t len = (size_t)4 << 20, cap = len - ((size_t)1 << 20) + 10000;
    pager_host h;
    uint8_t *m = fresh_with_host(len, &h);
    if (!m)
        return;
    pprof_fill f = {0};
    f.pager = h.g;
    int fd = open_fault_counter();
    uint64_t before = fd >= 0 ? fault_count(fd) : 0;
    bool ahead = true, bounded = true, asked = false;
    const size_t most = ((size_t)68 << 10);
    for (size_t used = 0; used < cap; used += 512) {
        pprof_fill_ahead(&f, m, used, cap);
        if (f.ticket) {
            asked = true;
            ahead &= pager_wait_done(h.g, f.ticket);
        }
        size_t n = cap - used < 512 ? cap - used : 512;
        /* the page written next is resident before the write */
        uintptr_t page = (uintptr_t)(m + used + n - 1) & ~(uintptr_t)4095;
        if (page + 4096 <= (uintptr_t)(m + cap)) /* (the last page is partly past cap: the writes') */
            ahead &= resident_pages((const void *)page, 4096) == 1;
        /* and nothing past the bound */
        size_t past = (used + most + 4095) & ~(size_t)4095;
        bounded &= f.done <= used + most && (past >= len || resident_pages(m + past, len - past) == 0);
        memset(m + used, 7, n);
    }
    uint64_t faults = fd >= 0 ? fault_count(fd) - before : 0;
    if (fd >= 0)
        close(fd);
    CHECK(asked);
    CHECK(ahead);
    CHECK(bounded);
    CHECK(!FAULTS_COUNTED || faults < 64);
    pprof_pager_stats st;
    pprof_pager_stats_get(h.g, &st);
    CHECK(st.pages >= cap / 4096 - 16); /* (the host's work, not the writer's) */
    pager_host_stop(&h);
    (void)munmap(m, len);
}

/* The arena keeps the pages of its head chunk populated a step ahead of
 * what it hands out (pprof_fill_ahead), never more than a step and a page
 * past it: strings copied into a fresh chunk then take almost no page
 * fault (-top on big100k.pb.gz: some 360 fewer). */
static void test_arena_fill(void)
{
    pprof_arena a;
    memset(&a, 0, sizeof a);
    bool ahead = true;
    size_t chunks = 0;
    const void *base = NULL;
    for (size_t i = 0; i < 30000; i++) {
        char *c = pprof_arena_alloc_bytes(&a, 100);
        ahead &= c != NULL;
        if (!c)
            break;
        memset(c, 2, 100);
        chunks += a.fill.base != base;
        base = a.fill.base;
        ahead &= a.fill.base != NULL && a.fill.done >= a.used && a.fill.done <= a.used + ((size_t)36 << 10);
    }
    CHECK(ahead);
    CHECK_INT((long long)chunks, 3); /* (3 MB of strings: picked up in each new chunk) */
    pprof_arena_release(&a);
    CHECK(a.fill.base == NULL && a.fill.done == 0);
}

/* Appends to raw a sample type and samples that use location ids 1 to n
 * (a multiple of 100), 100 a sample. */
static void samples_using(pprof_buf *raw, uint64_t n)
{
    msg m = {.n = 0};
    f_value_type(&m, 1, 1, 2);
    pprof_buf_append(raw, m.b, m.n);
    uint64_t ids[100];
    for (uint64_t s = 0; s < n / 100; s++) {
        m.n = 0;
        msg smp = {.n = 0};
        for (uint64_t k = 0; k < 100; k++)
            ids[k] = s * 100 + k + 1;
        fpacked(&smp, 1, ids, 100);
        fv(&smp, 2, 1);
        fm(&m, 2, &smp);
        pprof_buf_append(raw, m.b, m.n);
    }
}

/* Appends samples using locations 1 to n (a multiple of 100), location i
 * a line of function i, function i named by string 3 + i, and the string
 * table with those names. */
static void samples_of_functions(pprof_buf *raw, uint64_t n)
{
    msg m = {.n = 0};
    samples_using(raw, n);
    for (uint64_t id = 1; id <= n; id++) {
        m.n = 0;
        f_location(&m, id, id, (int64_t)id);
        f_function(&m, id, 3 + id);
        pprof_buf_append(raw, m.b, m.n);
    }
    m.n = 0;
    f_strings(&m);
    pprof_buf_append(raw, m.b, m.n);
    for (uint64_t id = 0; id < n; id++) {
        m.n = 0;
        char name[48]; /* "function_name_" and any uint64_t */
        snprintf(name, sizeof name, "function_name_%llu", (unsigned long long)id);
        fs(&m, 6, name);
        pprof_buf_append(raw, m.b, m.n);
    }
}

/* A gzip input big enough to be inflated in another thread: the decoder's
 * tables are handed to that thread's pager as they are written, and taken
 * back before it goes (a table left with it would ask a pager freed with
 * the thread). */
static void test_decode_pager_detached(void)
{
    enum { N = 60000 };
    pprof_buf raw = {0}, gz = {0};
    samples_of_functions(&raw, N);
    /* (stored, level 0: over the threaded path's 1 MiB of input) */
    z_stream z;
    memset(&z, 0, sizeof z);
    CHECK_INT(deflateInit2(&z, 0, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    pprof_buf_reserve(&gz, deflateBound(&z, raw.len));
    z.next_in = raw.data;
    z.avail_in = (uInt)raw.len;
    z.next_out = gz.data;
    z.avail_out = (uInt)gz.cap;
    CHECK_INT(deflate(&z, Z_FINISH), Z_STREAM_END);
    gz.len = z.total_out;
    deflateEnd(&z);
    CHECK(gz.len > (1u << 20));
    pprof_buf_release(&raw);
    pprof_profile *p = NULL;
    pprof_error err;
    CHECK_INT(pprof_profile_parse(&p, gz.data, gz.len, NULL, &err), 0);
    if (!p)
        fprintf(stderr, "%s\n", err.msg);
    pprof_buf_release(&gz);
    if (!p)
        return;
    CHECK_INT((long long)p->n_locations, N);
    const struct pprof_profile_internal *in = p->internal;
    const pprof_fill *fills[] = {&in->arena.fill,     &in->cap_samples.fill,   &in->cap_values.fill,
                                 &in->cap_labels.fill, &in->cap_locations.fill, &in->cap_lines.fill,
                                 &in->cap_functions.fill};
    bool none = true;
    for (size_t i = 0; i < sizeof fills / sizeof *fills; i++)
        none &= fills[i]->pager == NULL && fills[i]->ticket == 0;
    CHECK(none);
    /* (they grow on, populated by this thread) */
    CHECK_INT(pprof_profile_add_sample(p, (uint32_t[]){0}, 1, (int64_t[]){1}, NULL, 0), 0);
    pprof_profile_free(p);
}

/* raw parsed (and released), or NULL. */
static pprof_profile *parse_filled(pprof_buf *raw)
{
    pprof_profile *p = NULL;
    pprof_error err;
    CHECK_INT(pprof_profile_parse(&p, raw->data, raw->len, NULL, &err), 0);
    pprof_buf_release(raw);
    return p;
}

/* The page after each array's last entry (ends: pairs of that end and
 * the capacity's, NULL-terminated), never written, is resident: populated
 * ahead of the writes. (An array sized exactly, as the location table at
 * the first Location, has no such page.) */
static void check_filled_past(const void *const *ends)
{
    for (; *ends; ends += 2) {
        uintptr_t next = ((uintptr_t)ends[0] + 4095) & ~(uintptr_t)4095;
        if (next + 4096 <= (uintptr_t)ends[1])
            CHECK_INT((long long)resident_pages((const void *)next, 4096), 1);
    }
}

/* The decoder's tables of locations, lines and functions are populated
 * ahead of their writes (pprof_fill_ahead), not faulted in a page at a
 * time (12 us a fault on a virtual machine): with malloc mapping every
 * block of 64 KiB and more afresh, the page after each table's last entry
 * is resident, though nothing was written to it. */
static void test_decode_fill_tables(void)
{
    enum { N = 40000 };
    /* (the first test: the heap has no free block of that size yet; from
     * here on, this test program's malloc maps such blocks afresh) */
    mallopt(M_MMAP_THRESHOLD, 64 << 10);
    pprof_buf raw = {0};
    samples_of_functions(&raw, N);
    pprof_profile *p = parse_filled(&raw);
    if (p) {
        CHECK_INT((long long)p->n_locations, N);
        CHECK_INT((long long)p->n_lines, N);
        CHECK_INT((long long)p->n_functions, N);
        const struct pprof_profile_internal *in = p->internal;
        const void *ends[] = {p->locations + N, p->locations + in->cap_locations.n,
                              p->lines + N,     p->lines + in->cap_lines.n,
                              p->functions + N, p->functions + in->cap_functions.n,
                              NULL};
        check_filled_past(ends);
    }
    pprof_profile_free(p);
}

/* Appends locations 1 .. n, each a line of function 1, function 1 and
 * the string table. */
static void locations_of_one_function(pprof_buf *raw, uint64_t n)
{
    msg m = {.n = 0};
    for (uint64_t id = 1; id <= n; id++) {
        m.n = 0;
        f_location(&m, id, 1, (int64_t)id);
        pprof_buf_append(raw, m.b, m.n);
    }
    m.n = 0;
    f_function(&m, 1, 3);
    f_strings(&m);
    pprof_buf_append(raw, m.b, m.n);
}

/* The sample arrays too (samples, values, labels): 30,000 samples that
 * differ in a label, each array a fresh mapping here (run after
 * test_decode_fill_tables): the page after each one's last entry is
 * resident, though nothing was written to it. */
static void test_decode_fill_samples(void)
{
    enum { N = 30000 };
    pprof_buf raw = {0};
    msg m = {.n = 0};
    f_value_type(&m, 1, 1, 2);
    pprof_buf_append(&raw, m.b, m.n);
    for (uint64_t k = 0; k < N; k++) {
        msg smp = {.n = 0}, lab = {.n = 0};
        fv(&smp, 1, k % 50 + 1);
        fv(&smp, 2, k + 1);
        fv(&lab, 1, 3);
        fv(&lab, 3, k + 1);
        fm(&smp, 3, &lab);
        m.n = 0;
        fm(&m, 2, &smp);
        pprof_buf_append(&raw, m.b, m.n);
    }
    locations_of_one_function(&raw, 50);
    pprof_profile *p = parse_filled(&raw);
    if (p) {
        CHECK_INT((long long)p->n_samples, N);
        CHECK_INT((long long)p->n_labels, N);
        const struct pprof_profile_internal *in = p->internal;
        const void *ends[] = {p->samples + N, p->samples + in->cap_samples.n,
                              p->values + N,  p->values + in->cap_values.n,
                              p->labels + N,  p->labels + in->cap_labels.n,
                              NULL};
        check_filled_past(ends);
    }
    pprof_profile_free(p);
}

/* PPROF_GROW_AHEAD: an array written an entry at a time through 2 MiB,
 * grown as it goes, takes almost no page fault (512 without), and is
 * populated no more than a step and a page past its writes. */
static void test_grow_ahead(void)
{
    int fd = open_fault_counter();
    if (fd < 0)
        return;
    uint32_t *a = NULL;
    pprof_cap cap = {0};
    const size_t n = (size_t)2 << 20 >> 2;
    bool ok = true, near = true;
    uint64_t before = fault_count(fd);
    for (size_t i = 0; i < n && ok; i++) {
        ok = PPROF_GROW_AHEAD(a, cap, i + 1) == 0;
        if (ok)
            a[i] = (uint32_t)i;
        near &= cap.fill.base == a && cap.fill.done >= (i + 1) * 4 && cap.fill.done <= (i + 1) * 4 + ((size_t)36 << 10);
    }
    uint64_t faults = fault_count(fd) - before;
    close(fd);
    CHECK(ok);
    CHECK(near);
    CHECK(!FAULTS_COUNTED || faults < 64);
    for (size_t i = 0; i < n && ok; i += 4099)
        ok &= a[i] == i;
    CHECK(ok);
    free(a);
}

/* The wire-id map's array, reserved for many ids, is cleared in pages
 * populated first (pprof_populate), not faulted in one at a time as the
 * clearing goes: 2M ids (8 MiB, a fresh mapping here: run after
 * test_decode_fill_tables) take few faults, some 2,000 without. */
static void test_idmap_reserve_populated(void)
{
    int fd = open_fault_counter();
    if (fd < 0)
        return;
    pprof_idmap m;
    memset(&m, 0, sizeof m);
    uint64_t before = fault_count(fd);
    CHECK_INT(pprof_idmap_reserve(&m, (2u << 20) - 1), 0);
    uint64_t faults = fault_count(fd) - before;
    close(fd);
    CHECK(!FAULTS_COUNTED || faults < 64);
    CHECK(m.dense_cap >= (2u << 20));
    bool clear = true;
    for (size_t i = 0; i < m.dense_cap; i += 1000)
        clear &= m.dense[i] == 0;
    CHECK(clear);
    CHECK_INT(pprof_idmap_get(&m, 12345), PPROF_NONE);
    pprof_idmap_release(&m);
}

/* At the first Location, the line tables are sized for the locations the
 * samples use (one line each, the common case), not grown a doubling at
 * a time: 3,000 used locations without a line leave room for 3,000. */
static void test_decode_reserve_lines(void)
{
    pprof_buf raw = {0};
    msg m = {.n = 0};
    samples_using(&raw, 3000);
    for (uint64_t id = 1; id <= 3000; id++) {
        m.n = 0;
        msg loc = {.n = 0};
        fv(&loc, 1, id);
        fv(&loc, 3, 0x1000 + id);
        fm(&m, 4, &loc);
        pprof_buf_append(&raw, m.b, m.n);
    }
    m.n = 0;
    f_strings(&m);
    pprof_buf_append(&raw, m.b, m.n);
    pprof_profile *p = NULL;
    pprof_error err;
    CHECK_INT(pprof_profile_parse(&p, raw.data, raw.len, NULL, &err), 0);
    if (p) {
        CHECK_INT((long long)p->n_locations, 3000);
        CHECK_INT((long long)p->n_lines, 0);
        CHECK(p->internal->cap_lines.n >= 3000);
    }
    pprof_profile_free(p);
    pprof_buf_release(&raw);
}

/* An input of 1 MiB and more has its sample arrays and function table
 * reserved from its size (a sample, label or function takes two bytes at
 * least, a value one), not grown a doubling (and a copy) at a time: each
 * gets the most that stays under PPROF_GROW_HUGE, though the 1.1 MB here
 * merge into 100 samples with no label; none is on huge pages. */
static void test_decode_reserve_samples(void)
{
    pprof_buf raw = {0};
    msg m = {.n = 0};
    f_value_type(&m, 1, 1, 2);
    pprof_buf_append(&raw, m.b, m.n);
    uint64_t ids[100];
    for (uint64_t s = 0; s < 11000; s++) {
        for (uint64_t k = 0; k < 100; k++)
            ids[k] = (s + k) % 100 + 1;
        m.n = 0;
        f_sample(&m, ids, 100);
        pprof_buf_append(&raw, m.b, m.n);
    }
    locations_of_one_function(&raw, 100);
    CHECK(raw.len >= ((size_t)1 << 20));
    pprof_profile *p = parse_filled(&raw);
    if (p) {
        CHECK_INT((long long)p->n_samples, 100);
        const struct pprof_profile_internal *in = p->internal;
        const size_t bytes[] = {in->cap_samples.n * sizeof *p->samples, in->cap_values.n * sizeof *p->values,
                                in->cap_labels.n * sizeof *p->labels, in->cap_functions.n * sizeof *p->functions};
        for (size_t k = 0; k < 4; k++)
            CHECK(bytes[k] >= PPROF_GROW_HUGE / 2 && bytes[k] < PPROF_GROW_HUGE);
    }
    pprof_profile_free(p);
}

/* The string arrays are grown once for all the strings interned together,
 * repeats included (a copy a doubling, grown as they went). */
/* A file-mapped gzip input inflated in the pipe's thread is released as it
 * is inflated, the last of it too: once the pipe has handed on its last
 * chunk, none of the mapping is resident (with steps of four chunks, the
 * pages of the last steps stayed until the mapping went). */
static void test_pipe_releases_input(void)
{
    enum { RAW = (3u << 20) + 12345 };
    uint8_t *raw = malloc(RAW);
    uint64_t st = 42;
    for (size_t i = 0; i < RAW; i++)
        raw[i] = (uint8_t)unit_rng(&st); /* (random: the gzip is as big) */
    pprof_buf gz = {0};
    gzip_into(&gz, raw, RAW);
    FILE *tf = tmpfile(); /* (unlinked already) */
    int fd = tf ? fileno(tf) : -1;
    CHECK(fd >= 0 && write(fd, gz.data, gz.len) == (ssize_t)gz.len);
    const uint8_t *in = fd >= 0 ? mmap(NULL, gz.len, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    CHECK(in != MAP_FAILED);
    if (in != MAP_FAILED) {
        unsigned sum = 0;
        for (size_t i = 0; i < gz.len; i += 4096)
            sum += in[i]; /* (all of it resident first) */
        CHECK(sum || vma_rss_kb(in) > 0);
        CHECK(vma_rss_kb(in) >= (long)(gz.len / 4096) * 4);
        pprof_pipe *p = NULL;
        CHECK_INT(pprof_pipe_start(&p, in, gz.len, (uint64_t)1 << 40, true), 0);
        size_t total = 0;
        pprof_error err = {0};
        for (;;) {
            const uint8_t *data;
            size_t len = 0;
            CHECK_INT(pprof_pipe_next(p, &data, &len, &err), 0);
            if (len == 0)
                break;
            CHECK(total + len <= RAW && memcmp(data, raw + total, len) == 0);
            total += len;
        }
        CHECK_INT(total, RAW);
        CHECK_INT(vma_rss_kb(in), 0);
        pprof_pipe_stop(p);
        munmap((void *)in, gz.len);
    }
    if (tf)
        fclose(tf);
    pprof_buf_release(&gz);
    free(raw);
}

static void test_intern_reserve(void)
{
    pprof_profile *p = pprof_profile_new();
    CHECK(p != NULL);
    if (!p)
        return;
    enum { N = 5000 };
    static const char *s[N];
    static uint32_t len[N];
    static pprof_str out[N];
    for (size_t i = 0; i < N; i++) {
        s[i] = i % 2 ? "odd" : "even";
        len[i] = (uint32_t)strlen(s[i]);
    }
    CHECK_INT(pprof_profile_intern_owned_n(out, p, s, len, N), 0);
    CHECK(out[0] != out[1] && out[0] == out[N - 2] && out[1] == out[N - 1]);
    CHECK(p->internal->cap_strings >= N);
    pprof_profile_free(p);
}

/* The wire-id map stays a plain array while ids are dense, past
 * PPROF_IDMAP_DENSE_MAX too, moving ids it had hashed into the array. */
/* The arena: strings packed byte by byte, other blocks at multiples of 16,
 * big blocks in chunks of their own, every byte kept. */
static void test_arena(void)
{
    pprof_arena a;
    memset(&a, 0, sizeof a);
    char *prev = NULL;
    bool packed = true, aligned = true, intact = true;
    char *blocks[3000];
    size_t lens[3000];
    for (size_t i = 0; i < 3000; i++) {
        lens[i] = i % 7 == 6 ? 300000 + i : i % 23;
        bool bytes = i % 3 != 0;
        char *b = bytes ? pprof_arena_alloc_bytes(&a, lens[i]) : pprof_arena_alloc(&a, lens[i]);
        if (!b)
            break;
        if (!bytes)
            aligned &= ((uintptr_t)b & 15) == 0;
        /* two small byte blocks in a row are next to each other, unless a chunk ended */
        if (bytes && prev && i % 3 == 2 && lens[i - 1] < 300000 && lens[i] < 300000 && b != prev + lens[i - 1])
            packed = false;
        memset(b, (int)(i & 0xff), lens[i]);
        blocks[i] = b;
        prev = b;
    }
    for (size_t i = 0; i < 3000; i++)
        for (size_t k = 0; k < lens[i]; k += 997)
            intact &= (unsigned char)blocks[i][k] == (i & 0xff);
    CHECK(aligned);
    CHECK(packed);
    CHECK(intact);
    CHECK(a.total > 0);
    pprof_arena_release(&a);
    CHECK(a.head == NULL && a.total == 0);
}

static void test_idmap(void)
{
    pprof_idmap m;
    memset(&m, 0, sizeof m);
    uint64_t early = PPROF_IDMAP_DENSE_MAX + 10, huge = 1ULL << 40;
    CHECK_INT(pprof_idmap_put(&m, early, 7), 0); /* alone: hashed */
    CHECK(m.slots != NULL && m.count == 1);
    for (uint64_t id = 1; id < PPROF_IDMAP_DENSE_MAX + 100; id++)
        if (id != early && pprof_idmap_put(&m, id, (uint32_t)(id * 3)) != 0)
            break;
    CHECK(m.dense_cap > PPROF_IDMAP_DENSE_MAX); /* grew past the bound: the ids are dense */
    CHECK_INT(m.count, 0);                      /* the early id moved into the array */
    CHECK_INT(pprof_idmap_get(&m, early), 7);
    bool all = true;
    for (uint64_t id = 1; id < PPROF_IDMAP_DENSE_MAX + 100; id++)
        if (id != early && pprof_idmap_get(&m, id) != (uint32_t)(id * 3))
            all = false;
    CHECK(all);
    CHECK(pprof_idmap_get(&m, huge) == PPROF_NONE);
    CHECK_INT(pprof_idmap_put(&m, huge, 5), 0); /* far away: hashed */
    CHECK_INT(m.count, 1);
    CHECK_INT(pprof_idmap_get(&m, huge), 5);
    CHECK(pprof_idmap_get(&m, huge + 1) == PPROF_NONE);
    CHECK(pprof_idmap_get(&m, 0) == PPROF_NONE);
    pprof_idmap_release(&m);

    /* The id set: bits below the bound, a map above it. */
    pprof_idset set;
    memset(&set, 0, sizeof set);
    static const uint64_t in[] = {1, 63, 64, 65, 1000, PPROF_IDMAP_DENSE_MAX, PPROF_IDSET_BITS_MAX - 1,
                                  PPROF_IDSET_BITS_MAX, PPROF_IDSET_BITS_MAX + 1, 1ULL << 40, UINT64_MAX};
    static const uint64_t out[] = {0, 2, 62, 66, 999, 1001, PPROF_IDMAP_DENSE_MAX + 1, PPROF_IDSET_BITS_MAX - 2,
                                   PPROF_IDSET_BITS_MAX + 2, (1ULL << 40) + 1, UINT64_MAX - 1};
    for (size_t k = 0; k < sizeof in / sizeof in[0]; k++) {
        CHECK(!pprof_idset_has(&set, in[k]));
        CHECK_INT(pprof_idset_add(&set, in[k]), 0);
        CHECK_INT(pprof_idset_add(&set, in[k]), 0); /* twice: the same */
    }
    for (size_t k = 0; k < sizeof in / sizeof in[0]; k++)
        CHECK(pprof_idset_has(&set, in[k]));
    for (size_t k = 0; k < sizeof out / sizeof out[0]; k++)
        CHECK(!pprof_idset_has(&set, out[k]));
    CHECK((uint64_t)set.n_words * 64 <= PPROF_IDSET_BITS_MAX);
    CHECK(set.big.count + set.big.dense_count == 4); /* only the ids from the bound on */
    pprof_idset_release(&set);
    CHECK(set.bits == NULL && set.n_words == 0 && !pprof_idset_has(&set, 1));
    pprof_idset_release(&set); /* twice: safe */

    /* Its count, and largest id below the bound. */
    uint64_t max = 1;
    CHECK_INT(pprof_idset_count(&set, &max), 0);
    CHECK_INT(max, 0);
    static const uint64_t few[] = {5, 700, 129, 64, 700};
    for (size_t k = 0; k < sizeof few / sizeof few[0]; k++)
        CHECK_INT(pprof_idset_add(&set, few[k]), 0);
    CHECK_INT(pprof_idset_count(&set, &max), 4);
    CHECK_INT(max, 700);
    for (size_t k = 0; k < sizeof in / sizeof in[0]; k++)
        CHECK_INT(pprof_idset_add(&set, in[k]), 0);
    CHECK_INT(pprof_idset_count(&set, &max), 4 + sizeof in / sizeof in[0] - 1); /* (64 in both) */
    CHECK_INT(max, PPROF_IDSET_BITS_MAX);
    pprof_idset_release(&set);

    /* A map reserved for ids up to 5000 does not grow for them. */
    memset(&m, 0, sizeof m);
    CHECK_INT(pprof_idmap_reserve(&m, 5000), 0);
    size_t cap = m.dense_cap;
    CHECK(cap > 5000);
    for (uint64_t id = 1; id <= 5000; id++)
        CHECK_INT(pprof_idmap_put(&m, id, (uint32_t)id), 0);
    CHECK_INT(m.dense_cap, cap);
    CHECK_INT(pprof_idmap_get(&m, 4321), 4321);
    CHECK_INT(pprof_idmap_reserve(&m, PPROF_IDMAP_DENSE_MAX), 0); /* (not dense from the bound on) */
    CHECK_INT(m.dense_cap, cap);
    pprof_idmap_release(&m);
}

int main(void)
{
    test_decode_fill_tables(); /* (first: see there) */
    test_decode_fill_samples();
    test_grow_ahead();
    test_idmap_reserve_populated();
    test_round_trip();
    test_label_order();
    test_id_fallback();
    test_wire_layout();
    test_large_gzip();
    test_decode_packing();
    test_decode_unknown_fields();
    test_decode_errors();
    test_decode_labels();
    test_decode_gzip();
    test_raw();
    test_decode_merge();
    test_decode_shared_stacks();
    test_decode_wide_ids();
    test_decode_location_order();
    test_decode_held();
    test_decode_raw_order();
    test_decode_held_reread();
    test_decode_location_shapes();
    test_decode_budget();
    test_decode_huge_locs();
    test_alloc_huge();
    test_grow_huge();
    test_grow_huge_moves();
    test_populate();
    test_fill_ahead();
    test_pager_prepares();
    test_pager_forget();
    test_fill_paged();
    test_fill_taken_back();
    test_decode_pager_detached();
    test_idmap();
    test_arena();
    test_arena_fill();
    test_decode_reserve_lines();
    test_decode_reserve_samples();
    test_intern_reserve();
    test_pipe_releases_input();
    return unit_report("codec");
}
