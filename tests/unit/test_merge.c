/* test_merge.c: merging profiles: deduplication, common sample types, unit scaling, cancelling bases. */
#include "pprof.h"
#include "unit.h"

#include <string.h>

static pprof_str S(pprof_profile *p, const char *s)
{
    pprof_str id = 0;
    pprof_profile_intern(&id, p, s, strlen(s));
    return id;
}

/* A profile with the given sample types ("type/unit" pairs) and one sample
 * per value row on the stack leaf <- main. */
static pprof_profile *make(const char *const *types, size_t nt, const int64_t *rows, size_t n_rows, const char *leaf)
{
    pprof_profile *p = pprof_profile_new();
    for (size_t i = 0; i < nt; i++)
        pprof_profile_add_sample_type(p, (pprof_value_type){S(p, types[2 * i]), S(p, types[2 * i + 1])});
    pprof_function f1 = {.id = 1, .name = S(p, "main")}, f2 = {.id = 2, .name = S(p, leaf)};
    uint32_t i1, i2, locs[2];
    pprof_profile_add_function(&i1, p, &f1);
    pprof_profile_add_function(&i2, p, &f2);
    pprof_line l1 = {.function = i1}, l2 = {.function = i2};
    pprof_location a = {.id = 1, .mapping = PPROF_NONE}, b = {.id = 2, .mapping = PPROF_NONE};
    pprof_profile_add_location(&locs[1], p, &a, &l1, 1);
    pprof_profile_add_location(&locs[0], p, &b, &l2, 1);
    for (size_t r = 0; r < n_rows; r++)
        pprof_profile_add_sample(p, locs, 2, rows + r * nt, NULL, 0);
    return p;
}

static void test_common_types_and_units(void)
{
    static const char *const t1[] = {"samples", "count", "cpu", "milliseconds"};
    static const char *const t2[] = {"cpu", "nanoseconds"};
    static const int64_t r1[] = {3, 30};
    static const int64_t r2[] = {5000000};
    pprof_profile *a = make(t1, 2, r1, 1, "work"), *b = make(t2, 1, r2, 1, "work");
    pprof_profile *srcs[2] = {a, b}, *m = NULL;
    pprof_error err;
    CHECK_INT(pprof_profile_merge(&m, srcs, 2, &err), 0);
    CHECK_INT(m->n_sample_types, 1); /* only cpu is in both */
    CHECK_STR(pprof_string(m, m->sample_types[0].type), "cpu");
    CHECK_STR(pprof_string(m, m->sample_types[0].unit), "nanoseconds"); /* the finer unit */
    CHECK_INT(m->n_samples, 1);                                         /* same stack: summed */
    CHECK_INT(m->values[0], 30 * 1000000 + 5000000);
    pprof_profile_free(m);
    pprof_profile_free(a);
    pprof_profile_free(b);
}

static void test_no_common_type(void)
{
    static const char *const t1[] = {"cpu", "nanoseconds"};
    static const char *const t2[] = {"inuse_space", "bytes"};
    static const int64_t r[] = {1};
    pprof_profile *a = make(t1, 1, r, 1, "x"), *b = make(t2, 1, r, 1, "x");
    pprof_profile *srcs[2] = {a, b}, *m = NULL;
    pprof_error err;
    CHECK_INT(pprof_profile_merge(&m, srcs, 2, &err), PPROF_EINVAL);
    CHECK(strstr(err.msg, "empty common sample type list") != NULL);
    pprof_profile_free(a);
    pprof_profile_free(b);
}

static void test_base_cancels(void)
{
    static const char *const t[] = {"samples", "count"};
    static const int64_t r[] = {7};
    pprof_profile *a = make(t, 1, r, 1, "x"), *b = make(t, 1, r, 1, "x");
    pprof_profile_scale(b, (const double[]){-1});
    pprof_profile *srcs[2] = {a, b}, *m = NULL;
    pprof_error err;
    CHECK_INT(pprof_profile_merge(&m, srcs, 2, &err), 0);
    CHECK_INT(m->n_samples, 0);   /* a profile minus itself is empty */
    CHECK_INT(m->n_locations, 0); /* and keeps nothing only those samples used */
    pprof_profile_free(m);
    pprof_profile_free(a);
    pprof_profile_free(b);
}

static void test_dedup_and_headers(void)
{
    static const char *const t[] = {"samples", "count"};
    static const int64_t r[] = {1, 2};
    pprof_profile *a = make(t, 1, r, 2, "x"), *b = make(t, 1, r, 1, "y");
    a->time_nanos = 200;
    b->time_nanos = 100;
    a->duration_nanos = 10;
    b->duration_nanos = 5;
    a->period = 3;
    b->period = 9;
    pprof_profile *srcs[2] = {a, b}, *m = NULL;
    pprof_error err;
    CHECK_INT(pprof_profile_merge(&m, srcs, 2, &err), 0);
    CHECK_INT(m->n_samples, 2);    /* a's two samples share a stack; b's leaf differs */
    CHECK_INT(m->values[0], 3);
    CHECK_INT(m->n_functions, 3);  /* main once, x, y */
    CHECK_INT(m->time_nanos, 100); /* earliest */
    CHECK_INT(m->duration_nanos, 15);
    CHECK_INT(m->period, 9);
    pprof_profile_free(m);
    pprof_profile_free(a);
    pprof_profile_free(b);
}

/* Period types that differ only in unit (pprof-nodejs's wall/microseconds,
 * Datadog's wall/nanoseconds) merge in the finer unit, each period scaled,
 * the larger kept; another family or another type stays an error. */
static void test_period_units(void)
{
    static const char *const tus[] = {"wall", "microseconds"};
    static const char *const tns[] = {"wall", "nanoseconds"};
    static const int64_t rus[] = {41250}, rns[] = {30100200};
    for (int order = 0; order < 2; order++) {
        pprof_profile *us = make(tus, 1, rus, 1, "render"), *ns = make(tns, 1, rns, 1, "render");
        us->period_type = (pprof_value_type){S(us, "wall"), S(us, "microseconds")};
        us->period = 1000;
        ns->period_type = (pprof_value_type){S(ns, "wall"), S(ns, "nanoseconds")};
        ns->period = 10000000;
        pprof_profile *srcs[2] = {order ? ns : us, order ? us : ns}, *m = NULL;
        pprof_error err;
        CHECK_INT(pprof_profile_merge(&m, srcs, 2, &err), 0);
        if (m) {
            CHECK_STR(pprof_string(m, m->period_type.unit), "nanoseconds");
            CHECK_INT(m->period, 10000000);
            CHECK_STR(pprof_string(m, m->sample_types[0].unit), "nanoseconds");
            CHECK_INT(m->values[0], 41250000 + 30100200);
        }
        pprof_profile_free(m);
        /* A larger period in the coarser unit wins once scaled. */
        us->period = 20000;
        CHECK_INT(pprof_profile_merge(&m, srcs, 2, &err), 0);
        if (m)
            CHECK_INT(m->period, 20000000);
        pprof_profile_free(m);
        ns->period_type.unit = S(ns, "bytes");
        CHECK_INT(pprof_profile_merge(&m, srcs, 2, &err), PPROF_EINVAL);
        CHECK(strstr(err.msg, "incompatible period types") != NULL);
        ns->period_type = (pprof_value_type){S(ns, "cpu"), S(ns, "nanoseconds")};
        CHECK_INT(pprof_profile_merge(&m, srcs, 2, &err), PPROF_EINVAL);
        /* -normalize compares before any rescaling: units must be equal. */
        ns->period_type = (pprof_value_type){S(ns, "wall"), S(ns, "nanoseconds")};
        CHECK_INT(pprof_profile_normalize(us, ns, &err), PPROF_EINVAL);
        CHECK(strstr(err.msg, "incompatible period types wall/microseconds and wall/nanoseconds") != NULL);
        pprof_profile_free(us);
        pprof_profile_free(ns);
    }
}

/* The merger, fed one source at a time, gives what the all-at-once merge
 * gives, also when a later source drops a type or brings a finer unit
 * (the sums so far are dropped or scaled in place), and its -proto bytes
 * are the same. */
static void test_incremental(void)
{
    static const char *const t1[] = {"samples", "count", "cpu", "milliseconds"};
    static const char *const t2[] = {"cpu", "microseconds", "samples", "count"};
    static const char *const t3[] = {"cpu", "nanoseconds"};
    static const int64_t r1[] = {1, 10, 2, 20};
    static const int64_t r2[] = {7000, 0, 5, 9};
    static const int64_t r3[] = {123};
    pprof_profile *src[4] = {make(t1, 2, r1, 2, "work"), make(t2, 2, r2, 2, "idle"), make(t1, 2, r1, 1, "idle"),
                             make(t3, 1, r3, 1, "work")};
    pprof_error err;
    pprof_profile *once = NULL, *inc = NULL;
    CHECK_INT(pprof_profile_merge(&once, src, 4, &err), 0);
    pprof_merger *mg = NULL;
    CHECK_INT(pprof_merger_new(&mg), 0);
    for (size_t i = 0; i < 4; i++)
        CHECK_INT(pprof_merger_add(mg, src[i], &err), 0);
    CHECK_INT(pprof_merger_count(mg), 4);
    CHECK_INT(pprof_merger_finish(mg, &inc, &err), 0);
    pprof_merger_free(mg);
    CHECK(once && inc);
    if (once && inc) {
        CHECK_INT(inc->n_sample_types, 1);
        CHECK_STR(inc->strings[inc->sample_types[0].unit], "nanoseconds");
        /* work: 10ms + 20ms + 123ns; idle: 7000us + 5us + 10ms. */
        int64_t work = 0, idle = 0;
        for (size_t s = 0; s < inc->n_samples; s++) {
            const pprof_location *l = &inc->locations[inc->sample_locs[inc->samples[s].locs_off]];
            const char *leaf = inc->strings[inc->functions[inc->lines[l->lines_off].function].name];
            *(strcmp(leaf, "work") == 0 ? &work : &idle) += inc->values[s];
        }
        CHECK_INT(work, 30000123);
        CHECK_INT(idle, 17005000);
        pprof_buf a = {0}, b = {0};
        CHECK_INT(pprof_profile_encode(&a, once, false, &err), 0);
        CHECK_INT(pprof_profile_encode(&b, inc, false, &err), 0);
        CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
        pprof_buf_release(&a);
        pprof_buf_release(&b);
    }
    /* A source with no common type fails the merger for good. */
    static const char *const t4[] = {"alloc_space", "bytes"};
    pprof_profile *heap = make(t4, 1, r3, 1, "work");
    CHECK_INT(pprof_merger_new(&mg), 0);
    CHECK_INT(pprof_merger_add(mg, src[0], &err), 0);
    CHECK(pprof_merger_add(mg, heap, &err) != 0);
    CHECK(strstr(err.msg, "empty common sample type list") != NULL);
    CHECK(pprof_merger_add(mg, src[0], &err) != 0);
    pprof_profile *none = NULL;
    CHECK(pprof_merger_finish(mg, &none, &err) != 0);
    CHECK(none == NULL);
    pprof_merger_free(mg);
    pprof_profile_free(heap);
    pprof_profile_free(once);
    pprof_profile_free(inc);
    for (size_t i = 0; i < 4; i++)
        pprof_profile_free(src[i]);
}

/* pprof's time quirk (a source without a time clears the merged one, the
 * next with a time sets it again) and samples without a stack left out. */
static void test_time_quirk_and_stackless(void)
{
    static const char *const t[] = {"samples", "count"};
    static const int64_t r[] = {1};
    static const int64_t want[][3] = {{50, 0, 0}, {0, 50, 50}, {0, 50, 0}, {50, 0, 50}};
    for (size_t i = 0; i < 4; i++) {
        pprof_profile *srcs[3], *m = NULL;
        size_t n = i < 2 ? 2 : 3;
        for (size_t k = 0; k < n; k++) {
            srcs[k] = make(t, 1, r, 1, "x");
            srcs[k]->time_nanos = want[i][k];
        }
        pprof_error err;
        CHECK_INT(pprof_profile_merge(&m, srcs, n, &err), 0);
        CHECK_INT(m->time_nanos, i == 0 || i == 2 ? 0 : 50);
        pprof_profile_free(m);
        for (size_t k = 0; k < n; k++)
            pprof_profile_free(srcs[k]);
    }
    pprof_profile *a = make(t, 1, r, 1, "x"), *m = NULL;
    int64_t v = 5;
    pprof_profile_add_sample(a, NULL, 0, &v, NULL, 0);
    pprof_profile *srcs[2] = {a, a};
    pprof_error err;
    CHECK_INT(pprof_profile_merge(&m, srcs, 2, &err), 0);
    CHECK_INT(m->n_samples, 1);
    CHECK_INT(m->values[0], 2);
    pprof_profile_free(m);
    pprof_profile_free(a);
}

int main(void)
{
    test_common_types_and_units();
    test_no_common_type();
    test_base_cancels();
    test_dedup_and_headers();
    test_period_units();
    test_incremental();
    test_time_quirk_and_stackless();
    return unit_report("merge");
}
