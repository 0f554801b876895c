/* test_legacy.c: unit tests of the legacy readers (CPU, heap, Go count, threadz, contention, Java, maps). */
#include "readers.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

static pprof_profile *parse_bytes(const void *data, size_t len, int *rc)
{
    pprof_profile *p = NULL;
    pprof_error err = {0};
    *rc = pprof_read_legacy(&p, data, len, &err);
    if (*rc == 0) {
        pprof_error ce = {0};
        if (pprof_profile_check(p, &ce) != 0) {
            fprintf(stderr, "check failed: %s\n", ce.msg);
            *rc = ce.code;
        }
    } else if (err.code != *rc) {
        fprintf(stderr, "error code %d but message code %d\n", *rc, err.code);
    }
    return p;
}

static pprof_profile *parse(const char *text)
{
    int rc;
    pprof_profile *p = parse_bytes(text, strlen(text), &rc);
    if (rc)
        fprintf(stderr, "parse failed: %d\n", rc);
    return p;
}

static int parse_rc(const char *text)
{
    int rc;
    pprof_profile *p = parse_bytes(text, strlen(text), &rc);
    pprof_profile_free(p);
    return rc;
}

static const pprof_location *frame(const pprof_profile *p, size_t sample, size_t i)
{
    return &p->locations[p->sample_locs[p->samples[sample].locs_off + i]];
}

static uint64_t addr(const pprof_profile *p, size_t sample, size_t i)
{
    return frame(p, sample, i)->address;
}

static int64_t value(const pprof_profile *p, size_t sample, size_t type)
{
    return pprof_sample_values(p, sample)[type];
}

static const char *type_name(const pprof_profile *p, size_t i)
{
    return pprof_string(p, p->sample_types[i].type);
}

static const char *type_unit(const pprof_profile *p, size_t i)
{
    return pprof_string(p, p->sample_types[i].unit);
}

/* The mapping of location l, or NULL. */
static const pprof_mapping *mapping_of(const pprof_profile *p, const pprof_location *l)
{
    return l->mapping == PPROF_NONE ? NULL : &p->mappings[l->mapping];
}

static const char *loc_file(const pprof_profile *p, const pprof_location *l)
{
    const pprof_mapping *m = mapping_of(p, l);
    return m ? pprof_string(p, m->file) : "(none)";
}

/* Index of the location with address a, or -1. */
static long find_loc(const pprof_profile *p, uint64_t a)
{
    for (size_t i = 0; i < p->n_locations; i++)
        if (p->locations[i].address == a)
            return (long)i;
    return -1;
}

static const char *const profiler_rx =
    "ProfileData::Add|ProfileData::prof_handler|CpuProfiler::prof_handler|__pthread_sighandler|__restore";
static const char *const alloc_keep_rx = "runtime\\.panic|runtime\\.reflectcall|runtime\\.call[0-9]*";

/* A gperftools CPU profile built word by word. */
typedef struct words {
    uint8_t buf[8192];
    size_t len;
    unsigned width;
    bool big;
} words;

static void put(words *w, uint64_t v)
{
    for (unsigned i = 0; i < w->width; i++) {
        unsigned shift = 8 * (w->big ? w->width - 1 - i : i);
        w->buf[w->len++] = (uint8_t)(v >> shift);
    }
}

static void put_text(words *w, const char *s)
{
    memcpy(w->buf + w->len, s, strlen(s));
    w->len += strlen(s);
}

static void cpu_header(words *w, unsigned width, bool big, uint64_t java, uint64_t period_us)
{
    w->len = 0;
    w->width = width;
    w->big = big;
    put(w, 0);
    put(w, 3);
    put(w, java);
    put(w, period_us);
    put(w, 0);
}

static void cpu_sample(words *w, uint64_t count, size_t n, const uint64_t *pcs)
{
    put(w, count);
    put(w, n);
    for (size_t i = 0; i < n; i++)
        put(w, pcs[i]);
}

static void cpu_end(words *w)
{
    const uint64_t zero = 0;
    cpu_sample(w, 0, 1, &zero);
}

/* ---------------------------------------------------------------- CPU */

static void test_cpu_layouts(void)
{
    static const struct {
        unsigned width;
        bool big;
    } layouts[] = {{4, false}, {4, true}, {8, false}, {8, true}};
    for (size_t k = 0; k < 4; k++) {
        words w;
        cpu_header(&w, layouts[k].width, layouts[k].big, 0, 10000);
        cpu_sample(&w, 3, 3, (const uint64_t[]){0x400100, 0x400200, 0x400300});
        cpu_sample(&w, 1, 2, (const uint64_t[]){0x400100, 0x70001001});
        cpu_end(&w);
        put_text(&w, "00400000-00500000 r-xp 00000000 00:00 1 /bin/main\n"
                     "00500000-00600000 rw-p 00000000 00:00 1 /bin/main\n"
                     "70000000-70100000 r-xp 00000000 08:01 99 /lib/libc-2.15.so\n");
        int rc;
        pprof_profile *p = parse_bytes(w.buf, w.len, &rc);
        CHECK_INT(rc, 0);
        if (!p)
            continue;
        CHECK_INT(p->n_sample_types, 2);
        CHECK_STR(type_name(p, 0), "samples");
        CHECK_STR(type_unit(p, 0), "count");
        CHECK_STR(type_name(p, 1), "cpu");
        CHECK_STR(type_unit(p, 1), "nanoseconds");
        CHECK_STR(pprof_string(p, p->period_type.type), "cpu");
        CHECK_STR(pprof_string(p, p->period_type.unit), "nanoseconds");
        CHECK_INT(p->period, 10000000);
        CHECK_INT(p->n_samples, 2);
        CHECK_INT(value(p, 0, 0), 3);
        CHECK_INT(value(p, 0, 1), 30000000);
        /* the leaf is exact, callers point after the call */
        CHECK(addr(p, 0, 0) == 0x400100);
        CHECK(addr(p, 0, 1) == 0x4001ff);
        CHECK(addr(p, 0, 2) == 0x4002ff);
        CHECK(addr(p, 1, 1) == 0x70001000);
        CHECK_INT(p->n_locations, 4);
        CHECK_INT(p->locations[0].id, 1);
        CHECK_INT(p->locations[3].id, 4);
        CHECK_INT(p->n_mappings, 2); /* rw-p skipped */
        CHECK_STR(loc_file(p, frame(p, 0, 0)), "/bin/main");
        CHECK_STR(loc_file(p, frame(p, 1, 1)), "/lib/libc-2.15.so");
        CHECK_INT(p->mappings[0].id, 1);
        CHECK(p->mappings[1].limit == 0x70100000);
        CHECK_STR(pprof_string(p, p->drop_frames), profiler_rx);
        CHECK_STR(pprof_string(p, p->keep_frames), "");
        pprof_profile_free(p);
    }
}

static void test_cpu_signal_frames(void)
{
    /* 40 samples, all but one with the same second frame: it is dropped */
    words w;
    cpu_header(&w, 4, false, 0, 1000);
    for (uint64_t i = 0; i < 40; i++)
        cpu_sample(&w, 1, 3, (const uint64_t[]){0x1000 + i, 0x9001, 0x5001 + i});
    cpu_sample(&w, 1, 2, (const uint64_t[]){0x2000, 0x3001});
    cpu_end(&w);
    int rc;
    pprof_profile *p = parse_bytes(w.buf, w.len, &rc);
    CHECK_INT(rc, 0);
    if (p) {
        CHECK_INT(p->samples[0].n_locs, 2);
        CHECK(addr(p, 0, 1) == 0x5000);
        CHECK_INT(p->samples[40].n_locs, 2);
        CHECK(find_loc(p, 0x9000) < 0); /* unreferenced: not listed */
        CHECK_INT(p->n_mappings, 1);    /* the catch-all for unmapped addresses */
        CHECK(p->mappings[0].start == 0 && p->mappings[0].limit == UINT64_MAX);
        pprof_profile_free(p);
    }

    /* below 32 samples every sample must share it */
    cpu_header(&w, 4, false, 0, 1000);
    for (uint64_t i = 0; i < 20; i++)
        cpu_sample(&w, 1, 3, (const uint64_t[]){0x1000 + i, 0x9001, 0x5001 + i});
    cpu_sample(&w, 1, 2, (const uint64_t[]){0x2000, 0x3001});
    cpu_end(&w);
    p = parse_bytes(w.buf, w.len, &rc);
    CHECK_INT(rc, 0);
    if (p) {
        CHECK_INT(p->samples[0].n_locs, 3);
        pprof_profile_free(p);
    }
}

static void test_cpu_duplicate_leaf(void)
{
    words w;
    cpu_header(&w, 8, false, 0, 100);
    cpu_sample(&w, 1, 3, (const uint64_t[]){0x400101, 0x400101, 0x400300}); /* 0x400100 repeats the leaf */
    cpu_sample(&w, 1, 3, (const uint64_t[]){0x400101, 0x400102, 0x400300});
    cpu_sample(&w, 4, 3, (const uint64_t[]){0, 1, 2});
    cpu_end(&w);
    put_text(&w, "00400000-00500000 r-xp 00000000 00:00 1 /bin/main\n");
    int rc;
    pprof_profile *p = parse_bytes(w.buf, w.len, &rc);
    CHECK_INT(rc, 0);
    if (!p)
        return;
    CHECK_INT(p->period, 100000);
    CHECK_INT(p->samples[0].n_locs, 2);
    CHECK(addr(p, 0, 1) == 0x4002ff);
    CHECK_INT(p->samples[1].n_locs, 3);
    /* the dropped duplicate keeps its location (listed before the cleanup) */
    CHECK_INT(p->n_locations, 5);
    CHECK(p->locations[1].address == 0x400100);
    /* address 0 gets no mapping; 0x1 falls in the catch-all */
    CHECK(addr(p, 2, 0) == 0 && addr(p, 2, 1) == 0 && addr(p, 2, 2) == 1);
    CHECK(frame(p, 2, 0)->mapping == PPROF_NONE);
    CHECK_STR(loc_file(p, frame(p, 2, 2)), "");
    CHECK_INT(p->n_mappings, 2);
    pprof_profile_free(p);
}

static void test_cpu_bad(void)
{
    words w;
    int rc;
    /* a depth larger than the data left */
    cpu_header(&w, 4, false, 0, 100);
    put(&w, 1);
    put(&w, 1000);
    put(&w, 0x1234);
    pprof_profile_free(parse_bytes(w.buf, w.len, &rc));
    CHECK_INT(rc, PPROF_EUNRECOGNIZED);
    /* a zero period is not a CPU profile */
    cpu_header(&w, 4, false, 0, 0);
    cpu_end(&w);
    pprof_profile_free(parse_bytes(w.buf, w.len, &rc));
    CHECK_INT(rc, PPROF_EUNRECOGNIZED);
    /* a truncated header */
    cpu_header(&w, 8, true, 0, 100);
    pprof_profile_free(parse_bytes(w.buf, 39, &rc));
    CHECK_INT(rc, PPROF_EUNRECOGNIZED);
    /* no end marker: fine, with no memory map */
    cpu_header(&w, 4, false, 0, 100);
    cpu_sample(&w, 2, 1, (const uint64_t[]){0x10});
    pprof_profile *p = parse_bytes(w.buf, w.len, &rc);
    CHECK_INT(rc, 0);
    if (p) {
        CHECK_INT(p->n_samples, 1);
        CHECK_INT(value(p, 0, 1), 200000);
        pprof_profile_free(p);
    }
}

static void test_java_cpu(void)
{
    words w;
    cpu_header(&w, 4, false, 1, 10000);
    cpu_sample(&w, 0, 1, (const uint64_t[]){3});
    cpu_sample(&w, 2, 3, (const uint64_t[]){4, 5, 6});
    cpu_end(&w);
    put_text(&w, " 0x00000003 GC\n"
                 " 0x0000004 com.example.f (F.java:07)\n"
                 " 0x0000005 com.example.g (G.java:0)\n"
                 " 0x9 unused (X.java:1)\n");
    int rc;
    pprof_profile *p = parse_bytes(w.buf, w.len, &rc);
    CHECK_INT(rc, 0);
    if (!p)
        return;
    CHECK_INT(p->n_samples, 2);
    CHECK_INT(value(p, 0, 0), 0);
    CHECK_INT(value(p, 1, 1), 20000000);
    CHECK_INT(p->n_locations, 4);
    CHECK_INT(p->n_functions, 3);
    const pprof_location *l = frame(p, 1, 0);
    CHECK(l->address == 0); /* addresses are stripped */
    CHECK_INT(l->n_lines, 1);
    const pprof_line *ln = &p->lines[l->lines_off];
    CHECK_STR(pprof_string(p, p->functions[ln->function].name), "com.example.f");
    CHECK_STR(pprof_string(p, p->functions[ln->function].system_name), "com.example.f");
    CHECK_STR(pprof_string(p, p->functions[ln->function].filename), "F.java");
    CHECK_INT(ln->line, 7);
    CHECK_INT(p->lines[frame(p, 1, 1)->lines_off].line, 0);
    /* an address without a symbol keeps no line and gets the catch-all mapping */
    l = frame(p, 1, 2);
    CHECK_INT(l->n_lines, 0);
    CHECK(l->address == 0 && l->mapping == 0);
    CHECK_STR(pprof_string(p, p->drop_frames), profiler_rx);
    pprof_profile_free(p);
}

/* ---------------------------------------------------------------- heap */

static void test_heap_v2(void)
{
    pprof_profile *p = parse("heap profile: 2: 300 [ 4: 600] @ heap_v2/1024\n"
                             "1: 100 [2: 200] @ 0x1001 0x2001\n"
                             "-1: -200 [2: 400] @ 0x1001 0x3001\n"
                             "# comment\n\n");
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_INT(p->n_sample_types, 4);
    CHECK_STR(type_name(p, 0), "alloc_objects");
    CHECK_STR(type_name(p, 1), "alloc_space");
    CHECK_STR(type_name(p, 2), "inuse_objects");
    CHECK_STR(type_unit(p, 3), "bytes");
    CHECK_STR(pprof_string(p, p->period_type.type), "space");
    CHECK_INT(p->period, 1024);
    CHECK_INT(value(p, 0, 0), 21);
    CHECK_INT(value(p, 0, 1), 2149);
    CHECK_INT(value(p, 0, 2), 10);
    CHECK_INT(value(p, 0, 3), 1074);
    CHECK_INT(value(p, 1, 2), -5);
    CHECK_INT(value(p, 1, 3), -1127);
    CHECK_INT(p->samples[1].n_labels, 1);
    const pprof_label *lab = &p->labels[p->samples[1].labels_off];
    CHECK_STR(pprof_string(p, lab->key), "bytes");
    CHECK_INT(lab->num, 200);
    CHECK(lab->str == 0);
    /* every heap frame is adjusted */
    CHECK(addr(p, 0, 0) == 0x1000);
    CHECK(addr(p, 1, 1) == 0x3000);
    CHECK_STR(pprof_string(p, p->keep_frames), alloc_keep_rx);
    CHECK(strncmp(pprof_string(p, p->drop_frames), "calloc|cfree|malloc|free|", 25) == 0);
    pprof_profile_free(p);
}

/* Unsampling divides by 1 - e^(-avg/rate): the last bit of e^x shows in
 * large values, so these follow the reference's exp, not libm's. */
static void test_heap_unsampling_exact(void)
{
    pprof_profile *p = parse("heap profile: 1: 1 [ 2: 2] @ heap_v2/524288\n"
                             "836236006: 2542993694246 [975130: 724406935992] @ 0x11e1\n");
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(value(p, 0, 0), 1287225);
        CHECK_INT(value(p, 0, 1), 956257014341);
        CHECK_INT(value(p, 0, 2), 144590999383);
        CHECK_INT(value(p, 0, 3), 439701229126168);
        pprof_profile_free(p);
    }
    p = parse("heap profile: 1: 1 [ 2: 2] @ heap_v2/4096\n"
              "220630460: 322568157779 [251427: 727436329655] @ 0xbfd1\n");
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(value(p, 0, 2), 734979162);
        CHECK_INT(value(p, 0, 3), 1074560939383);
        pprof_profile_free(p);
    }
}

static void test_heap_variants(void)
{
    /* Go's heap/rate: the period is half the rate; equal columns give 2 types */
    pprof_profile *p = parse("heap profile: 2: 300 [ 2: 300] @ heap/2048\n"
                             "1: 100 [1: 100] @ 0x1001 0x2001\n"
                             "1: 200 [1: 200] @ 0x1001 0x3001\n");
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(p->period, 1024);
        CHECK_INT(p->n_sample_types, 2);
        CHECK_STR(type_name(p, 0), "objects");
        CHECK_STR(type_name(p, 1), "space");
        CHECK_INT(value(p, 0, 0), 10);
        CHECK_INT(value(p, 0, 1), 1074);
        CHECK_INT(value(p, 1, 0), 5);
        CHECK_INT(value(p, 1, 1), 1127);
        pprof_profile_free(p);
    }
    /* heapprofile: not sampled */
    p = parse("heap profile:   2:   300 [   4:   600] @ heapprofile\n"
              " 1: 100 [ 2: 200] @ 0x1001 0x2001\n");
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(p->period, 1);
        CHECK_INT(value(p, 0, 0), 2);
        CHECK_INT(value(p, 0, 1), 200);
        CHECK_INT(value(p, 0, 3), 100);
        pprof_profile_free(p);
    }
    /* the counts compare as text: "02" differs from "2" */
    p = parse("heap profile: 2: 300 [ 02: 300] @ heapz_v2/524288\n1: 100 [1: 100] @ 0x1001\n");
    CHECK(p && p->n_sample_types == 4);
    pprof_profile_free(p);
    static const char *const word_headers[] = {
        "heap profile: 1: 2097152 [ 1: 2097152] @ growthz\n1: 2097152 [ 1: 2097152] @ 0x1001\n",
        "xx heap profile: 1: 100 [ 1: 100] @ growth\n1: 100 [1: 100] @ 0x1001\n",
        "heap profile: 1: 100 [ 1: 100] @ fragmentationz\n1: 100 [1: 100] @ 0x1001\n",
    };
    for (size_t i = 0; i < 3; i++) {
        p = parse(word_headers[i]);
        CHECK(p != NULL);
        if (p) {
            CHECK_INT(p->period, 1);
            CHECK_INT(p->n_sample_types, 2);
            CHECK_INT(value(p, 0, 0), 1); /* not unsampled */
            CHECK_INT(p->labels[0].num, value(p, 0, 1));
            pprof_profile_free(p);
        }
    }
    /* a zero inuse count keeps the allocation block size */
    p = parse("heap profile: 2: 300 [ 4: 600] @ heap_v2/524288\n0: 0 [1: 1024] @ 0x1001\n");
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(value(p, 0, 2), 0);
        CHECK_INT(p->labels[0].num, 1024);
        pprof_profile_free(p);
    }
}

static void test_heap_errors(void)
{
    CHECK_INT(parse_rc("heap profile: 2: 300 [ 2: 300] @ heap/2048\n0: 100 [1: 100] @ 0x1001\n"),
              PPROF_EFORMAT);
    CHECK_INT(parse_rc("heap profile: 2: 300 [ 2: 300] @ heap/2048\n1: 100 [1 100] @ 0x1001\n"),
              PPROF_EFORMAT);
    CHECK_INT(parse_rc("heap profile: 2: 300 [ 2: 300] @ heap/2048\n1: 1 [1: 1] @ 0x12345678901234567\n"),
              PPROF_EFORMAT);
    CHECK_INT(parse_rc("heap profile: 2: 300 [ 2: 300] @ heapx/2048\n"), PPROF_EUNRECOGNIZED);
    CHECK_INT(parse_rc("heap profile: 2: 300 [ 2: 300] @ heap/99999999999999999999\n"), PPROF_EUNRECOGNIZED);
}

/* ---------------------------------------------------------------- Go count */

static void test_go_count(void)
{
    pprof_profile *p = parse("# leading comment\n\n"
                             "goroutine profile: total 3\n"
                             "2 @ 0x42e116 0x45e8e5\n"
                             "#\t0x45e8e4\truntime.f+0x24\truntime/f.go:846\n"
                             "\n"
                             "010 @ 0x45e8e5\n");
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_INT(p->n_sample_types, 1);
    CHECK_STR(type_name(p, 0), "goroutine");
    CHECK_STR(type_unit(p, 0), "count");
    CHECK_STR(pprof_string(p, p->period_type.type), "goroutine");
    CHECK_INT(p->period, 1);
    CHECK_INT(p->n_samples, 2);
    CHECK_INT(value(p, 0, 0), 2);
    CHECK_INT(value(p, 1, 0), 8); /* a leading 0 means octal */
    CHECK(addr(p, 0, 0) == 0x42e115);
    CHECK(addr(p, 0, 1) == 0x45e8e4);
    CHECK_INT(p->n_locations, 2);
    CHECK_INT(p->sample_locs[p->samples[1].locs_off], 1);
    CHECK_INT(p->n_mappings, 1);
    CHECK_STR(pprof_string(p, p->drop_frames), profiler_rx);
    pprof_profile_free(p);

    p = parse("threadcreate profile: total 1\n1 @ 0x44cb3\n");
    CHECK(p && strcmp(type_name(p, 0), "threadcreate") == 0);
    pprof_profile_free(p);

    CHECK_INT(parse_rc("goroutine profile: total 1\n09 @ 0x1001\n"), PPROF_EFORMAT);
    CHECK_INT(parse_rc("goroutine profile: total 1\n1 @ 0x1001 \n"), PPROF_EFORMAT);
    CHECK_INT(parse_rc("goroutine profile: total 1 \n1 @ 0x1001\n"), PPROF_EUNRECOGNIZED);
}

/* ---------------------------------------------------------------- threadz */

static const char thread_profile[] =
    "--- threadz 1 ---\n"
    "\n"
    "--- Thread 7f794ab90940 (name: main/14748) stack: ---\n"
    "  PC:  0x00bc8f1c: helper(arg *)\n"
    "  0x0040be31: main\n"
    "--- Thread 7f794964e700 (name: thread1/14751) stack: ---\n"
    "  PC: 0x7f794a32bf7d 0x7f794a32bf7d\n"
    "      creator: 0xa45b96\n"
    "--- Thread 7f7948978700 (name: thread3/14759) stack: ---\n"
    "  [same as previous thread]\n"
    "--- Memory map: ---\n"
    "  00400000-00fcb000: /home/cppbench_server_main\n"
    "  7f794a31d000-7f794a335000: /lib/libpthread-2.15.so\n";

static void test_thread(void)
{
    pprof_profile *p = parse(thread_profile);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_STR(type_name(p, 0), "thread");
    CHECK_STR(pprof_string(p, p->period_type.type), "thread");
    CHECK_INT(p->n_samples, 2);
    CHECK_INT(value(p, 0, 0), 1);
    CHECK_INT(value(p, 1, 0), 2); /* "same as previous thread" */
    CHECK(addr(p, 0, 0) == 0xbc8f1c);
    CHECK(addr(p, 0, 1) == 0x40be30);
    /* the repeated leaf (adjusted) is dropped */
    CHECK_INT(p->samples[1].n_locs, 2);
    CHECK(addr(p, 1, 1) == 0xa45b95);
    CHECK_STR(loc_file(p, frame(p, 1, 0)), "/lib/libpthread-2.15.so");
    CHECK_STR(pprof_string(p, p->mappings[0].file), "/home/cppbench_server_main");
    pprof_profile_free(p);

    /* without a memory map the last stack never ends */
    CHECK_INT(parse_rc("--- threadz 1 ---\n\n--- Thread 7f (name: main/1) stack: ---\n  PC: 0x1000\n"),
              PPROF_EUNRECOGNIZED);
    p = parse("--- Thread 7f (name: a/b/1) stack: ---\n  PC: 0x1000 0x2001\n---- no stack trace for x\n");
    CHECK(p && p->n_samples == 1);
    pprof_profile_free(p);
}

/* ---------------------------------------------------------------- contention */

static void test_contention(void)
{
    pprof_profile *p = parse("--- contentionz 1 ---\n"
                             "cycles/second = 3201000000\n"
                             "sampling period = 100\n"
                             "ms since reset = 16502830\n"
                             "discarded samples = 0\n"
                             "  19490304       27 @ 0xbccc97 0xc61202\n"
                             "       768        1 @ 0xbccc97\n"
                             "--- Memory map: ---\n"
                             "  00400000-00fcb000: cppbench_server_main\n");
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_STR(type_name(p, 0), "contentions");
    CHECK_STR(type_name(p, 1), "delay");
    CHECK_STR(type_unit(p, 1), "nanoseconds");
    CHECK_STR(pprof_string(p, p->period_type.type), "contentions");
    CHECK_INT(p->period, 100);
    CHECK_INT(p->duration_nanos, 16502830LL * 1000000);
    CHECK_INT(value(p, 0, 0), 2700);
    CHECK_INT(value(p, 0, 1), 608881724);
    CHECK_INT(value(p, 1, 0), 100);
    CHECK_INT(value(p, 1, 1), 23992);
    CHECK(addr(p, 0, 0) == 0xbccc96);
    CHECK(strncmp(pprof_string(p, p->drop_frames), "RecordLockProfileData|", 22) == 0);
    CHECK_STR(pprof_string(p, p->keep_frames), "");
    pprof_profile_free(p);

    /* mutex form; "123 @" reads as 12 and 3 */
    p = parse("--- mutex:\ncycles/second=2000000000\nsampling period=5\n100 2 @ 0x1001\n123 @ 0x3001\n");
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(value(p, 0, 0), 10);
        CHECK_INT(value(p, 0, 1), 250);
        CHECK_INT(value(p, 1, 0), 15);
        CHECK_INT(value(p, 1, 1), 30);
        pprof_profile_free(p);
    }
    /* Go number syntax in attributes; period 0 leaves values alone */
    p = parse("--- contention:\nsampling period = 0x0\nms since reset = 1_000\n7 3 @ 0x1001\n");
    CHECK(p != NULL);
    if (p) {
        CHECK_INT(p->duration_nanos, 1000000000);
        CHECK_INT(value(p, 0, 0), 3);
        CHECK_INT(value(p, 0, 1), 7);
        pprof_profile_free(p);
    }
    CHECK_INT(parse_rc("--- contentionz 1 ---\nfoo = 3\n1 2 @ 0x1\n"), PPROF_EUNRECOGNIZED);
    /* not C++ contention; read as an (empty) Java profile */
    p = parse("--- contentionz 1 ---\nnot a sample\n");
    CHECK(p && p->n_samples == 0 && p->n_sample_types == 0);
    pprof_profile_free(p);
}

/* ---------------------------------------------------------------- Java */

static void test_java_heap(void)
{
    pprof_profile *p = parse("--- heapz 1 ---\n"
                             "format = java\n"
                             "resolution = bytes\n"
                             "          5000     2 @ 0x00000001 0x00000002\n"
                             "           100     1 @ 0x00000002\n"
                             "\n"
                             " 0x00000001 com.example.f (Source.java:103)\n"
                             " 0x00000002 com.example.g (libfoo/libg.so)\n");
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_STR(type_name(p, 0), "inuse_objects");
    CHECK_STR(type_name(p, 1), "inuse_space");
    CHECK_STR(type_unit(p, 1), "bytes");
    CHECK_STR(pprof_string(p, p->period_type.type), "");
    CHECK_INT(p->period, 0);
    CHECK_INT(value(p, 0, 0), 420);
    CHECK_INT(value(p, 0, 1), 1051077);
    CHECK_INT(p->labels[p->samples[0].labels_off].num, 2500);
    CHECK_INT(value(p, 1, 0), 5243);
    CHECK_INT(p->n_mappings, 0);
    CHECK_INT(p->n_functions, 2);
    const pprof_line *ln = &p->lines[frame(p, 0, 1)->lines_off];
    CHECK_STR(pprof_string(p, p->functions[ln->function].filename), "libg.so");
    CHECK_STR(pprof_string(p, p->keep_frames), alloc_keep_rx);
    pprof_profile_free(p);

    CHECK_INT(parse_rc("--- heapz 1 ---\nformat = java\nresolution = bytes\n  5 0 @ 0x1\n"), PPROF_EFORMAT);
    CHECK_INT(parse_rc("--- heapz 1 ---\nformat = java\n  5 2 @ 0x1\n"), PPROF_EFORMAT);
    CHECK_INT(parse_rc("--- heapz 1 ---\nformat = cpp\n"), PPROF_EUNRECOGNIZED);
}

static void test_java_contention(void)
{
    pprof_profile *p = parse("--- contentionz 1 ---\n"
                             "format = java\n"
                             "resolution = microseconds\n"
                             "sampling period = 100\n"
                             "ms since reset = 6019923\n"
                             "            1     1 @ 0x00000003 0x00000004\n"
                             "            2     3 @ 0x00000005 0x00000006 0x00000007\n"
                             "\n"
                             " 0x0000003 com.example.a (A.java:03)\n"
                             " 0x0000004 com.example.b (B.java:-4)\n"
                             " 0x0000005 generated stub/JIT\n"
                             " 0x0000006 f  (F.java:7)\n"
                             " 0x0000007 VM");
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_STR(type_unit(p, 1), "microseconds");
    CHECK_STR(pprof_string(p, p->period_type.type), "contentions");
    CHECK_INT(p->period, 100);
    CHECK_INT(p->duration_nanos, 6019923LL * 1000000);
    CHECK_INT(value(p, 0, 0), 100);
    CHECK_INT(value(p, 0, 1), 100);
    CHECK_INT(value(p, 1, 0), 300);
    CHECK_INT(value(p, 1, 1), 200);
    static const struct {
        size_t sample, frame;
        const char *name, *file;
        int64_t line;
    } want[] = {
        {0, 0, "com.example.a", "A.java", 3}, {0, 1, "com.example.b", "B.java", 0},
        {1, 0, "STUB", "", 0},                {1, 1, "f ", "F.java", 7},
        {1, 2, "VM", "", 0},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const pprof_location *l = frame(p, want[i].sample, want[i].frame);
        CHECK_INT(l->n_lines, 1);
        if (l->n_lines != 1)
            continue;
        const pprof_line *ln = &p->lines[l->lines_off];
        CHECK_STR(pprof_string(p, p->functions[ln->function].name), want[i].name);
        CHECK_STR(pprof_string(p, p->functions[ln->function].filename), want[i].file);
        CHECK_INT(ln->line, want[i].line);
    }
    CHECK(strncmp(pprof_string(p, p->drop_frames), "RecordLockProfileData|", 22) == 0);
    pprof_profile_free(p);
}

/* ---------------------------------------------------------------- maps */

#define COUNT_HEAD                                                                              \
    "goroutine profile: total 3\n1 @ 0x1001 0x2001 0x3001\n2 @ 0x4001 0x5001\n--- Memory map: ---\n"

static void test_maps_forms(void)
{
    pprof_profile *p = parse(COUNT_HEAD "0x1000-0x2000 /bin/a (@100) abcdef\n"
                                        "0x2000 0x3000 /bin/b abc123\n"
                                        "I0102 12:00:00.000 file.cc:12]   3000-4000: /bin/c\n"
                                        "0x4000-0x5000 r-x /bin/d\n"
                                        "0x5000-0x6000 rw-p /bin/e\n");
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_INT(p->n_mappings, 5);
    CHECK(p->mappings[0].offset == 0x100);
    CHECK_STR(pprof_string(p, p->mappings[0].build_id), "abcdef");
    CHECK_STR(pprof_string(p, p->mappings[1].build_id), "abc123");
    CHECK_STR(loc_file(p, frame(p, 0, 2)), "/bin/c");
    CHECK_STR(loc_file(p, frame(p, 1, 0)), "/bin/d");
    CHECK_STR(loc_file(p, frame(p, 1, 1)), ""); /* rw-p skipped: catch-all */
    pprof_profile_free(p);

    /* the main binary goes first (swapped); split mappings are merged */
    p = parse(COUNT_HEAD "0x1000-0x1800 /lib/libc.so.6\n"
                         "0x2000-0x2800 [vdso]\n"
                         "0x2800-0x2900 (deleted)\n"
                         "0x3000-0x3400 /bin/main(deleted)\n"
                         "0x3400-0x3800 /bin/main(deleted)\n"
                         "0x4000-0x4800 /lib/x.so\n");
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(pprof_string(p, p->mappings[0].file), "/bin/main(deleted)");
        CHECK(p->mappings[0].start == 0x3000 && p->mappings[0].limit == 0x3800);
        CHECK_STR(pprof_string(p, p->mappings[1].file), "[vdso]");
        CHECK_STR(pprof_string(p, p->mappings[3].file), "/lib/libc.so.6");
        CHECK_INT(p->mappings[3].id, 4);
        CHECK_STR(loc_file(p, frame(p, 0, 0)), "/lib/libc.so.6");
        pprof_profile_free(p);
    }

    /* offsets must line up for a merge */
    p = parse(COUNT_HEAD "00001000-00002000 r-xp 00001000 00:00 1 /bin/a\n"
                         "00002000-00004000 r-xp 00002000 00:00 1 /bin/a\n"
                         "00004000-00005000 r-xp 00003000 00:00 1 /bin/a\n");
    CHECK(p != NULL);
    if (p) {
        CHECK(p->mappings[0].limit == 0x4000 && p->mappings[0].offset == 0x1000);
        CHECK(p->mappings[1].start == 0x4000);
        pprof_profile_free(p);
    }
}

static void test_maps_fixups(void)
{
    /* attr=value substitution: the first definition wins */
    pprof_profile *p = parse(COUNT_HEAD "lib = /usr/lib\nlib=/other\nzz=/p\nzza=/q\n"
                                        "0x1000-0x2000 $lib/a.so\n0x2000-0x3000 $zza\n"
                                        "0x3000-0x4000 probe\n");
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(loc_file(p, frame(p, 0, 0)), "/usr/lib/a.so");
        CHECK_STR(loc_file(p, frame(p, 0, 1)), "/pa");
        /* "probe" starts with permissions "pr": not executable */
        CHECK_STR(loc_file(p, frame(p, 0, 2)), "");
        pprof_profile_free(p);
    }
    /* /anon_hugepage before its binary is dropped */
    p = parse(COUNT_HEAD "0x1000-0x2000 /anon_hugepage\n0x2000-0x3000 /bin/main\n");
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(pprof_string(p, p->mappings[0].file), "/bin/main");
        CHECK_STR(loc_file(p, frame(p, 0, 0)), "");
        pprof_profile_free(p);
    }
    /* a main binary whose start minus offset is 0x400000 starts there */
    p = parse("goroutine profile: total 1\n1 @ 0x400101\n--- Memory map: ---\n"
              "00401000-00500000 r-xp 00001000 00:00 1 /bin/main\n");
    CHECK(p != NULL);
    if (p) {
        CHECK(p->mappings[0].start == 0x400000 && p->mappings[0].offset == 0);
        CHECK_STR(loc_file(p, frame(p, 0, 0)), "/bin/main");
        pprof_profile_free(p);
    }
    /* an address just below a split mapping extends it */
    p = parse("goroutine profile: total 1\n1 @ 0x10101 0x7001\n--- Memory map: ---\n"
              "00011000-00020000 r-xp 00001000 00:00 1 /bin/main\n"
              "00007000-00008000 r-xp 00000000 00:00 1 /lib/l.so\n");
    CHECK(p != NULL);
    if (p) {
        CHECK(p->mappings[0].start == 0x10000 && p->mappings[0].offset == 0);
        CHECK_STR(loc_file(p, frame(p, 0, 0)), "/bin/main");
        pprof_profile_free(p);
    }
    /* one number then /proc fields: read as start 0x100, limit 0x0 */
    p = parse("goroutine profile: total 1\n1 @ 0x1001\n--- Memory map: ---\n"
              "1000 r-xp 00000000 00:00 123 /bin/x\n");
    CHECK(p != NULL);
    if (p) {
        CHECK(p->mappings[0].start == 0x100 && p->mappings[0].limit == 0);
        pprof_profile_free(p);
    }
    /* MAPPED_LIBRARIES: introduces the map too */
    p = parse("goroutine profile: total 1\n1 @ 0x1001\n---\nfoo\nMAPPED_LIBRARIES:\n0x1000-0x2000 /bin/x\n");
    CHECK(p && p->n_mappings == 1 && strcmp(loc_file(p, frame(p, 0, 0)), "/bin/x") == 0);
    pprof_profile_free(p);
}

/* Many mappings and locations take the logarithmic path; its answers must
 * be those of the plain scan. */
static void test_maps_many(void)
{
    enum { N = 400 };
    pprof_buf b = {0};
    pprof_buf_puts(&b, "goroutine profile: total 1\n1 @");
    for (unsigned i = 0; i < N; i++)
        pprof_buf_printf(&b, " 0x%x", 0x100000u + i * 0x1000u + 0x801u);
    pprof_buf_printf(&b, " 0x%x 0x%x\n--- Memory map: ---\n", 0x2001u, 0x2801u);
    /* overlapping pairs: the earlier one wins; odd ones are split mappings */
    for (unsigned i = 0; i < N; i++) {
        unsigned start = 0x100000u + i * 0x1000u;
        if (i % 2)
            pprof_buf_printf(&b, "%x-%x r-xp %x 00:00 1 /lib/m%u.so\n", start + 0x900u, start + 0x2000u,
                             0x900u, i);
        else
            pprof_buf_printf(&b, "%x-%x r-xp 0 00:00 1 /lib/m%u.so\n", start, start + 0x1000u, i);
    }
    pprof_buf_puts(&b, "3000-4000 r-xp 1000 00:00 1 /lib/low.so\n");
    int rc;
    pprof_profile *p = parse_bytes(b.data, b.len, &rc);
    pprof_buf_release(&b);
    CHECK_INT(rc, 0);
    if (!p)
        return;
    int wrong = 0;
    char want[32];
    for (unsigned i = 0; i < N; i++) {
        /* odd i: only its own split mapping's missing part holds it, so
         * that mapping is extended; even i: the odd mapping before it
         * reaches 0x1000 past its start and wins by coming first */
        snprintf(want, sizeof want, "/lib/m%u.so", i == 0 || i % 2 ? i : i - 1);
        if (strcmp(loc_file(p, frame(p, 0, i)), want) != 0)
            wrong++;
    }
    CHECK_INT(wrong, 0);
    CHECK_STR(loc_file(p, frame(p, 0, N)), "/lib/low.so");     /* 0x2000 extends low.so */
    CHECK_STR(loc_file(p, frame(p, 0, N + 1)), "/lib/low.so"); /* now inside */
    pprof_profile_free(p);
}

/* ---------------------------------------------------------------- misc */

static void test_unrecognized_and_limits(void)
{
    CHECK_INT(parse_rc(""), PPROF_EUNRECOGNIZED);
    CHECK_INT(parse_rc("hello world\n"), PPROF_EUNRECOGNIZED);
    pprof_profile *p = (pprof_profile *)1;
    pprof_error err = {0};
    CHECK_INT(pprof_read_legacy(&p, (const uint8_t *)"\x01\x02", 2, &err), PPROF_EUNRECOGNIZED);
    CHECK(p == NULL);
    CHECK_STR(err.msg, "unrecognized profile format");

    /* a line longer than 65535 bytes stops the parse, as in pprof */
    size_t n = 70000;
    char *big = malloc(n + 64);
    if (!big)
        return;
    memset(big, 'x', n);
    big[n] = '\n';
    big[n + 1] = 0;
    CHECK_INT(parse_rc(big), PPROF_EFORMAT);
    strcpy(big, "goroutine profile: total 1\n1 @ 0x1001\n# ");
    size_t h = strlen(big);
    memset(big + h, 'y', 65535 - 2);
    strcpy(big + h + 65535 - 2, "\n");
    CHECK_INT(parse_rc(big), 0); /* exactly the limit */
    big[h] = 'z';
    memset(big + h, 'y', 65536 - 2);
    strcpy(big + h + 65536 - 2, "\n");
    CHECK_INT(parse_rc(big), PPROF_EFORMAT);
    free(big);
}

int main(void)
{
    test_cpu_layouts();
    test_cpu_signal_frames();
    test_cpu_duplicate_leaf();
    test_cpu_bad();
    test_java_cpu();
    test_heap_v2();
    test_heap_unsampling_exact();
    test_heap_variants();
    test_heap_errors();
    test_go_count();
    test_thread();
    test_contention();
    test_java_heap();
    test_java_contention();
    test_maps_forms();
    test_maps_fixups();
    test_maps_many();
    test_unrecognized_and_limits();
    return unit_report("legacy");
}
