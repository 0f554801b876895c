/* test_folded_write.c: unit tests of -folded as pprof_write makes it (from a trie of frame paths): the bytes of pprof_write_folded over pprof_stacks_build's set. */
#include "formats.h"
#include "internal.h"
#include "unit.h"
#include "unit_read.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static pprof_str S(pprof_profile *p, const char *s)
{
    pprof_str id = 0;
    pprof_profile_intern(&id, p, s, strlen(s));
    return id;
}

/* -folded of p under o, as pprof_write makes it ("" on an error, which
 * *rc gets). */
static char *folded(const pprof_profile *p, const pprof_report_options *o, int *rc)
{
    pprof_buf b = {0};
    pprof_error err;
    *rc = pprof_write(&b, "folded", p, o, &err);
    pprof_buf_append(&b, "", 0);
    return (char *)b.data;
}

/* The same through the stack set. */
static char *folded_of_set(const pprof_profile *p, const pprof_report_options *o, int *rc)
{
    pprof_buf b = {0};
    pprof_error err;
    pprof_stack_set *s = NULL;
    *rc = pprof_stacks_build(&s, p, o, &err);
    if (!*rc)
        *rc = pprof_write_folded(&b, s, &err);
    pprof_stack_set_free(s);
    pprof_buf_append(&b, "", 0);
    return (char *)b.data;
}

/* -folded of p under o is want. */
static void check_folded(const pprof_profile *p, const pprof_report_options *o, const char *want)
{
    int rc;
    char *got = folded(p, o, &rc);
    CHECK_INT(rc, 0);
    CHECK_STR(got, want);
    free(got);
}

static void same_as_set(const char *what, const pprof_profile *p, const pprof_report_options *opt)
{
    pprof_report_options o = *opt;
    o.graph.sample_index = o.sample_index;
    o.graph.mean = o.mean;
    int ra, rb;
    char *a = folded(p, &o, &ra), *b = folded_of_set(p, &o, &rb);
    bool same = ra == rb && a && b && strcmp(a, b) == 0;
    if (!same)
        fprintf(stderr, "%s: sample_index=%d mean=%d granularity=%d noinlines=%d: not the stack set's lines\n", what,
                o.sample_index, o.mean, (int)o.graph.granularity, o.graph.noinlines);
    CHECK(same);
    free(a);
    free(b);
}

/* Every sample index, granularity, -mean and -noinlines (few: the
 * first sample index, functions and lines only). */
static void same_options(const char *what, const pprof_profile *p, bool few)
{
    static const pprof_granularity grans[] = {PPROF_GRAN_FUNCTIONS, PPROF_GRAN_LINES, PPROF_GRAN_ADDRESSES};
    size_t nt = few || !p->n_sample_types ? 1 : p->n_sample_types;
    for (size_t si = 0; si < nt; si++)
        for (int v = 0; v < (few ? 2 : 9); v++) {
            pprof_report_options o;
            pprof_report_options_init(&o, "folded");
            o.sample_index = (int)si;
            o.graph.granularity = grans[v % 3];
            o.mean = v / 3 == 1;
            o.graph.noinlines = v / 3 == 2;
            same_as_set(what, p, &o);
        }
}

static void same_all_options(const char *what, const pprof_profile *p)
{
    same_options(what, p, false);
}

/* Functions a, b, c, d; location 1 is b inlined into a, 2 is a, 3 is b,
 * 4 is c, 5 is d. Samples (root first): a;b(inlined);c 1, a;b;c 2,
 * a;b(inlined);d 3, a;b(inlined);c 10 again, none 4. The paths a;b;c
 * and a;b(inlined);c print the same: two lines, in the order they came,
 * before a;b;d (a walk of the frames grouped by inlining would put
 * a;b;d between them). */
static pprof_profile *inline_profile(void)
{
    pprof_profile *p = pprof_profile_new();
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    static const char *const names[] = {"a", "b", "c", "d"};
    uint32_t fn[4], loc[6];
    for (uint32_t i = 0; i < 4; i++) {
        pprof_function f = {.id = i + 1, .name = S(p, names[i])};
        pprof_profile_add_function(&fn[i], p, &f);
    }
    static const int lines_of[6][2] = {{0, -1}, {1, 0}, {0, -1}, {1, -1}, {2, -1}, {3, -1}};
    for (uint32_t i = 1; i < 6; i++) {
        pprof_location l = {.id = i, .address = 0x1000 + i * 16, .mapping = PPROF_NONE};
        pprof_line ln[2] = {{.function = fn[lines_of[i][0]], .line = 10 + i}};
        if (lines_of[i][1] >= 0)
            ln[1] = (pprof_line){.function = fn[lines_of[i][1]], .line = 20 + i};
        pprof_profile_add_location(&loc[i], p, &l, ln, lines_of[i][1] >= 0 ? 2 : 1);
    }
    static const struct {
        uint32_t locs[3]; /* leaf first */
        size_t n;
        int64_t v;
    } rows[] = {{{4, 1}, 2, 1}, {{4, 3, 2}, 3, 2}, {{5, 1}, 2, 3}, {{4, 1}, 2, 10}, {{0}, 0, 4}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint32_t locs[3];
        for (size_t k = 0; k < rows[i].n; k++)
            locs[k] = loc[rows[i].locs[k]];
        pprof_profile_add_sample(p, locs, rows[i].n, &rows[i].v, NULL, 0);
    }
    return p;
}

static void test_inlined_twins(void)
{
    pprof_profile *p = inline_profile();
    pprof_report_options o;
    pprof_report_options_init(&o, "folded");
    o.sample_index = 0;
    check_folded(p, &o, "[no stack] 4\na;b;c 11\na;b;c 2\na;b;d 3\n");
    /* without inline frames (b's lines in a are a's) */
    o.graph.noinlines = true;
    check_folded(p, &o, "[no stack] 4\na;b;c 2\na;c 11\na;d 3\n");
    same_all_options("inline_profile", p);
    pprof_error err;
    CHECK_INT(pprof_profile_index(p, &err), 0);
    same_all_options("inline_profile (indexed)", p);
    pprof_profile_free(p);
}

/* A profile with no samples (with sample types and without), and one
 * with one sample: what the set gives. */
static void test_small(void)
{
    pprof_profile *p = pprof_profile_new();
    same_all_options("no sample types", p);
    pprof_profile_add_sample_type(p, (pprof_value_type){S(p, "samples"), S(p, "count")});
    same_all_options("no samples", p);
    pprof_report_options o;
    pprof_report_options_init(&o, "folded");
    o.sample_index = 0;
    check_folded(p, &o, "");
    pprof_function f = {.id = 1, .name = S(p, "x;y z")};
    uint32_t fn, loc;
    pprof_profile_add_function(&fn, p, &f);
    pprof_location l = {.id = 1, .address = 0x10, .mapping = PPROF_NONE};
    pprof_line ln = {.function = fn, .line = 1};
    pprof_profile_add_location(&loc, p, &l, &ln, 1);
    int64_t v = -7;
    pprof_profile_add_sample(p, &loc, 1, &v, NULL, 0);
    check_folded(p, &o, "x:y z -7\n"); /* the separator replaced */
    same_all_options("one sample", p);
    /* a stack whose values sum to 0: no line */
    v = 7;
    pprof_profile_add_sample(p, &loc, 1, &v, NULL, 0);
    check_folded(p, &o, "");
    pprof_error err;
    CHECK_INT(pprof_profile_index(p, &err), 0);
    check_folded(p, &o, "");
    same_all_options("a sum of 0", p);
    pprof_profile_free(p);
}

/* The test profiles (a large one, many labels, a differential one, folded
 * input), indexed or not, and after a filter. */
static void test_profiles(void)
{
    static const char *const files[] = {"large.cpu",       "tags_many.pb.gz",    "labels_order.pb.gz",
                                        "cpu.pb.gz",       "heap.pb.gz",         "block.pb.gz",
                                        "goroutine.pb.gz", "mean_min.pb.gz",     "sample.cpu",
                                        "folded/perf.folded", "folded/diff.folded", "folded/hostile.folded"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        bool few = i == 0; /* (the large one: its default reports) */
        pprof_profile *p = unit_read_data(files[i]);
        if (!p)
            continue;
        same_options(files[i], p, few);
        pprof_error err;
        CHECK_INT(pprof_profile_index(p, &err), 0);
        same_options(files[i], p, few);
        pprof_filter_options ff = {.focus = "main|runtime|fib|alloc", .ignore = "GC|gc"};
        pprof_filter_result fr;
        CHECK_INT(pprof_profile_filter(p, &ff, &fr, &err), 0);
        same_options(files[i], p, few);
        pprof_profile_free(p);
    }
}

int main(void)
{
    test_inlined_twins();
    test_small();
    test_profiles();
    return unit_report("folded_write");
}
