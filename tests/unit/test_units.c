/* test_units.c: unit tests for lib/units.c; expected strings come from runs of go tool pprof (Go 1.19). */
#include "internal.h"
#include "unit.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Relative comparison: the factors are not all exact in binary. */
static int close_to(double got, double want)
{
    if (want == 0.0)
        return got == 0.0;
    return fabs(got - want) <= 1e-12 * fabs(want);
}

#define CHECK_FMT(value, from, to, want)                               \
    do {                                                               \
        char b_[128];                                                  \
        pprof_format_scaled(b_, sizeof b_, (value), (from), (to));     \
        CHECK_STR(b_, (want));                                         \
    } while (0)

#define CHECK_SCALE(value, from, to, want_v, want_u)                   \
    do {                                                               \
        const char *u_ = NULL;                                         \
        double v_ = pprof_unit_scale((value), (from), (to), &u_);      \
        CHECK(close_to(v_, (want_v)));                                 \
        CHECK_STR(u_, (want_u));                                       \
    } while (0)

#define CHECK_PCT(value, total, want)                                  \
    do {                                                               \
        char b_[64];                                                   \
        pprof_format_percent(b_, sizeof b_, (value), (total));         \
        CHECK_STR(b_, (want));                                         \
    } while (0)

static void test_scale(void)
{
    /* Explicit target units, and the canonical name coming back. */
    CHECK_SCALE(1500000, "ns", "ms", 1.5, "ms");
    CHECK_SCALE(1500000, "nanoseconds", "milliseconds", 1.5, "ms");
    CHECK_SCALE(1500000, "ns", "us", 1500.0, "us");
    CHECK_SCALE(2, "hour", "ms", 7200000.0, "ms");
    CHECK_SCALE(5426686, "bytes", "kB", 5426686.0 / 1024, "kB");
    CHECK_SCALE(1, "PB", "B", 1125899906842624.0, "B");
    CHECK_SCALE(1500, "nanogcu", "microgcu", 1.5, "u*GCU");

    /* Auto-scaling: the largest unit in which the value is >= 1. */
    CHECK_SCALE(999, "ns", "auto", 999.0, "ns");
    CHECK_SCALE(1000, "ns", "minimum", 1.0, "us");
    CHECK_SCALE(3599999999999, "ns", "auto", 3599.999999999, "s");
    CHECK_SCALE(3600000000000, "ns", "auto", 1.0, "hrs");
    CHECK_SCALE(1023, "B", "auto", 1023.0, "B");
    CHECK_SCALE(1024, "B", "auto", 1.0, "kB");
    CHECK_SCALE(1500, "gcu", "auto", 1.5, "k*GCU");
    CHECK_SCALE(1500, "nanogcu", "auto", 1.5, "u*GCU");

    /* Nothing auto-scales 0: the family default. */
    CHECK_SCALE(0, "ns", "auto", 0.0, "s");
    CHECK_SCALE(0, "bytes", "minimum", 0.0, "B");
    CHECK_SCALE(0, "milligcu", "auto", 0.0, "GCU");

    /* "minimum"/"auto" are case-sensitive; other spellings are unknown
     * units, which give the default. */
    CHECK_SCALE(1500000, "ns", "AUTO", 0.0015, "s");
    CHECK_SCALE(5426686, "bytes", "Minimum", 5426686.0, "B");

    /* Unknown `to` in the family, and a unit of another family: the
     * default of `from`'s family, never a fall-through to "unknown". */
    CHECK_SCALE(1500000, "ns", "minutes", 0.0015, "s");
    CHECK_SCALE(1500000, "ns", "kB", 0.0015, "s");
    CHECK_SCALE(1500000, "ns", "count", 0.0015, "s");
    CHECK_SCALE(5426686, "bytes", "ms", 5426686.0, "B");
    CHECK_SCALE(5426686, "bytes", "foo", 5426686.0, "B");
    CHECK_SCALE(1500, "gcu", "ms", 1500.0, "GCU");

    /* Canonical GCU sub-unit names are printed but are not aliases. */
    CHECK_SCALE(1500, "nanogcu", "u*GCU", 1.5e-6, "GCU");

    /* Unknown `from`: value unchanged; no unit for the unitless targets,
     * which are matched exactly ("samples" is not "sample"). */
    CHECK_SCALE(42, "count", "auto", 42.0, "");
    CHECK_SCALE(42, "count", "minimum", 42.0, "");
    CHECK_SCALE(42, "count", "count", 42.0, "");
    CHECK_SCALE(42, "count", "sample", 42.0, "");
    CHECK_SCALE(42, "count", "unit", 42.0, "");
    CHECK_SCALE(42, "count", "samples", 42.0, "samples");
    CHECK_SCALE(42, "count", "requests", 42.0, "requests");
    CHECK_SCALE(42, "count", "ms", 42.0, "ms");
    CHECK_SCALE(42, "", "auto", 42.0, "");
    CHECK_SCALE(42, "n*GCU", "auto", 42.0, "");

    /* Negative values scale like their absolute value. */
    CHECK_SCALE(-1500000, "ns", "auto", -1.5, "ms");
    CHECK_SCALE(-1, "kB", "auto", -1.0, "kB");
    CHECK_SCALE(-42, "count", "x", -42.0, "x");

    /* INT64_MIN has no absolute value: like pprof, it goes through as is
     * and so auto-scales to no unit, i.e. the default. */
    CHECK_SCALE(INT64_MIN, "ns", "auto", -9223372036.854775808, "s");
    CHECK_SCALE(INT64_MIN, "bytes", "auto", -9223372036854775808.0, "B");
    CHECK_SCALE(INT64_MIN, "count", "auto", -9223372036854775808.0, "");
    CHECK_SCALE(INT64_MAX, "ns", "auto", 9223372036854775807.0 / 3.6e12, "hrs");
    CHECK_SCALE(INT64_MAX, "bytes", "auto", 8192.0, "PB");

    /* NULL units behave like "", and out_unit may be NULL. */
    CHECK_SCALE(42, NULL, NULL, 42.0, "");
    CHECK(close_to(pprof_unit_scale(2000, "ns", "us", NULL), 2.0));
}

static void test_sniffing(void)
{
    /* Case folding and one trailing "s" stripped when longer than 2. */
    CHECK_FMT(1536, "b", "auto", "1.50kB");
    CHECK_FMT(1536, "byte", "auto", "1.50kB");
    CHECK_FMT(1536, "bytes", "auto", "1.50kB");
    CHECK_FMT(1023, "Bytes", "auto", "1023B");
    CHECK_FMT(65536000, "BYTES", "auto", "62.50MB");
    CHECK_FMT(1536, "kb", "auto", "1.50MB");
    CHECK_FMT(1536, "kbyte", "auto", "1.50MB");
    CHECK_FMT(1536, "KiloBytes", "auto", "1.50MB");
    CHECK_FMT(1536, "megabytes", "auto", "1.50GB");
    CHECK_FMT(1536, "gbytes", "auto", "1.50TB");
    CHECK_FMT(1536, "tb", "auto", "1.50PB");
    CHECK_FMT(1536, "petabyte", "auto", "1536PB");
    CHECK_FMT(1500, "s", "auto", "1500s");
    CHECK_FMT(1500, "sec", "auto", "1500s");
    CHECK_FMT(1500, "second", "auto", "1500s");
    CHECK_FMT(1500, "seconds", "auto", "1500s");
    CHECK_FMT(2, "hr", "auto", "2hrs");
    CHECK_FMT(2, "hrs", "auto", "2hrs");
    CHECK_FMT(2, "us", "auto", "2us");
    CHECK_FMT(2500, "microseconds", "auto", "2.50ms");
    CHECK_FMT(2500, "millisecond", "auto", "2.50s");
    CHECK_FMT(1500000, "ns", "MS", "1.50ms");
    CHECK_FMT(1500, "GCUs", "auto", "1.50k*GCU");

    /* "μs" is 3 bytes, so its "s" is stripped and it never matches; "μss"
     * does. "msec" and "minutes" are no units at all. */
    CHECK_FMT(5, "\xce\xbc" "s", "auto", "5");
    CHECK_FMT(5, "\xce\xbc" "ss", "auto", "5us");
    CHECK_FMT(1500000, "ns", "\xce\xbc" "ss", "1500us");
    CHECK_FMT(1500000, "ns", "\xce\xbc" "s", "0");
    CHECK_FMT(1500, "msec", "auto", "1500");
    CHECK_FMT(1500, "msec", "msec", "1500msec");
    CHECK_FMT(1500, "minutes", "auto", "1500");

    /* GCU aliases. */
    CHECK_FMT(5, "microgcu", "auto", "5u*GCU");
    CHECK_FMT(7, "milligcu", "auto", "7m*GCU");
    CHECK_FMT(7, "kilogcu", "auto", "7k*GCU");
    CHECK_FMT(7, "megagcu", "auto", "7M*GCU");
    CHECK_FMT(7, "gigagcu", "auto", "7G*GCU");
    CHECK_FMT(7, "teragcu", "auto", "7T*GCU");
    CHECK_FMT(7, "petagcu", "auto", "7P*GCU");
    CHECK_FMT(250000, "nanogcu", "auto", "250u*GCU");
}

static void test_format_scaled(void)
{
    CHECK_FMT(1100000000, "nanoseconds", "auto", "1.10s");
    CHECK_FMT(100000000, "nanoseconds", "auto", "100ms");
    CHECK_FMT(65536000, "bytes", "auto", "62.50MB");
    CHECK_FMT(1024000, "bytes", "auto", "1000kB");
    CHECK_FMT(1048576000, "bytes", "auto", "1000MB");
    CHECK_FMT(5426686, "bytes", "kB", "5299.50kB");
    CHECK_FMT(5426686, "bytes", "MB", "5.18MB");
    CHECK_FMT(5426686, "bytes", "GB", "0.01GB");
    CHECK_FMT(-5426686, "bytes", "MB", "-5.18MB");
    CHECK_FMT(3004085040, "nanoseconds", "ms", "3004.09ms");
    CHECK_FMT(193535796, "nanoseconds", "auto", "193.54ms");
    CHECK_FMT(13064, "nanoseconds", "auto", "13.06us");
    CHECK_FMT(3100830689, "bytes", "GB", "2.89GB");
    CHECK_FMT(3600000000000, "ns", "auto", "1hrs");
    CHECK_FMT(INT64_MAX, "ns", "auto", "2562047.79hrs");
    CHECK_FMT(INT64_MAX, "bytes", "auto", "8192PB");
    CHECK_FMT(INT64_MAX, "PB", "B", "10384593717069655257060992658440192B");
    CHECK_FMT(INT64_MIN, "ns", "auto", "-9223372036.85s");
    CHECK_FMT(INT64_MIN, "ns", "ms", "-9223372036854.78ms");
    CHECK_FMT(INT64_MIN, "count", "auto", "-9223372036854775808");
    CHECK_FMT(INT64_MIN, "count", "foo", "-9223372036854775808foo");

    /* Anything that prints as 0.00 (either sign) is a bare "0". */
    CHECK_FMT(0, "ns", "auto", "0");
    CHECK_FMT(0, "count", "requests", "0");
    CHECK_FMT(7, "ns", "s", "0");
    CHECK_FMT(-7, "ns", "s", "0");
    CHECK_FMT(-4000000, "ns", "s", "0");
    CHECK_FMT(-5000000, "ns", "s", "-0.01s");
    CHECK_FMT(5000000, "ns", "s", "0.01s");
    CHECK_FMT(1500, "nanogcu", "u*GCU", "0");

    /* Only ".00" is trimmed, never ".50" or ".10". */
    CHECK_FMT(1500000, "ns", "auto", "1.50ms");
    CHECK_FMT(-1500000, "ns", "auto", "-1.50ms");
    CHECK_FMT(1000000000, "ns", "auto", "1s");

    /* Unknown source units. */
    CHECK_FMT(42, "count", "auto", "42");
    CHECK_FMT(42, "count", "sample", "42");
    CHECK_FMT(42, "count", "unit", "42");
    CHECK_FMT(42, "count", "samples", "42samples");
    CHECK_FMT(42, "count", "units", "42units");
    CHECK_FMT(42, "count", "requests", "42requests");
    CHECK_FMT(42, "count", "ms", "42ms");

    /* Cross-family target: the source family's default. */
    CHECK_FMT(5426686, "bytes", "ms", "5426686B");
    CHECK_FMT(1500000, "ns", "kB", "0");
    CHECK_FMT(1500, "gcu", "ms", "1500GCU");

    /* Truncation to the buffer size, and n == 0. */
    char small[4];
    pprof_format_scaled(small, sizeof small, 1100000000, "ns", "auto");
    CHECK_STR(small, "1.1");
    char untouched[2] = {'x', '\0'};
    pprof_format_scaled(untouched, 0, 1100000000, "ns", "auto");
    CHECK_STR(untouched, "x");
}

static void test_percent(void)
{
    CHECK_PCT(1, 1, "  100%");
    CHECK_PCT(9995, 10000, "  100%");    /* 99.95 */
    CHECK_PCT(9994, 10000, "99.94%");
    CHECK_PCT(10005, 10000, "  100%");   /* 100.05 */
    CHECK_PCT(10006, 10000, "100.06%");
    CHECK_PCT(-5, -5, "  100%");
    CHECK_PCT(-3, 7, "42.86%");
    CHECK_PCT(3, -7, "42.86%");
    CHECK_PCT(1000000000, 5810000000, "17.21%");
    CHECK_PCT(10000000, 5810000000, " 0.17%");
    CHECK_PCT(1, 112, " 0.89%");
    CHECK_PCT(1, 5810, "0.017%");
    CHECK_PCT(1, 111, "  0.9%");
    CHECK_PCT(1, 100, " 1.00%");
    CHECK_PCT(99, 10000, " 0.99%");
    CHECK_PCT(95, 1000000000000, "9.5e-09%");
    CHECK_PCT(3, 1060330, "0.00028%");
    CHECK_PCT(1, 200000, "0.0005%");
    CHECK_PCT(0, 5, "    0%");
    CHECK_PCT(5, 0, "    0%");
    CHECK_PCT(0, 0, "    0%");
    CHECK_PCT(INT64_MIN, INT64_MIN, "  100%");
    CHECK_PCT(INT64_MIN, 1, "922337203685477580800.00%");
}

/* pprof_unit_select_minimum, then each value formatted in that unit, as
 * `go tool pprof -top` prints them. */
static void check_select(int64_t min, int64_t max, const char *unit, const char *want_unit,
                         int64_t v, const char *want_v, int line)
{
    const char *got = pprof_unit_select_minimum(min, max, unit);
    char b[128];
    pprof_format_scaled(b, sizeof b, v, unit, got);
    if (strcmp(got, want_unit) != 0 || strcmp(b, want_v) != 0)
        fprintf(stderr, "select line %d: unit \"%s\" value \"%s\"\n", line, got, b);
    CHECK_STR(got, want_unit);
    CHECK_STR(b, want_v);
}

static void test_select_minimum(void)
{
    /* cpu: min 10ms, total 1.76s -> s; with min 40ms -> ms. */
    check_select(10000000, 1760000000, "nanoseconds", "s", 10000000, "0.01s", __LINE__);
    check_select(10000000, 1760000000, "nanoseconds", "s", 1280000000, "1.28s", __LINE__);
    check_select(40000000, 1760000000, "nanoseconds", "ms", 1370000000, "1370ms", __LINE__);
    check_select(10000000, 5810000000, "nanoseconds", "s", 5810000000, "5.81s", __LINE__);
    /* heap: all kB. */
    check_select(524496, 6483704, "bytes", "kB", 524496, "512.20kB", __LINE__);
    check_select(524496, 6483704, "bytes", "kB", 6483704, "6331.74kB", __LINE__);
    /* allocs: smallest shown value is a cum of 26MB; 100*min is below the
     * 2.89GB total and past 1GB -> GB. */
    check_select(27263392, 3100830689, "bytes", "GB", 3100830689, "2.89GB", __LINE__);
    check_select(27263392, 3100830689, "bytes", "GB", 15504153, "0.01GB", __LINE__);
    check_select(27263392, 3100830689, "bytes", "GB", 27263392, "0.03GB", __LINE__);
    /* A 56MB minimum would have kept MB (100*min above the total). */
    check_select(58722452, 3100830689, "bytes", "MB", 3100830689, "2957.18MB", __LINE__);
    /* block and mutex. */
    check_select(193535796, 3197731866, "nanoseconds", "ms", 3004085040, "3004.09ms", __LINE__);
    check_select(193535796, 3197731866, "nanoseconds", "ms", 3197731866, "3197.73ms", __LINE__);
    check_select(13064, 13064, "nanoseconds", "us", 13064, "13.06us", __LINE__);
    /* Borderline: min*100 == max keeps min's unit; one less switches. */
    check_select(10000000, 1000000000, "ns", "ms", 1000000000, "1000ms", __LINE__);
    check_select(10000000, 1000000001, "ns", "s", 1000000001, "1s", __LINE__);
    check_select(1023, 102301, "bytes", "kB", 1023, "1kB", __LINE__);
    /* Same unit for min and max: no switch even when far apart. */
    check_select(1, 999, "ns", "ns", 999, "999ns", __LINE__);
    /* Counts and unknown units: the sample unit itself. */
    check_select(1500, 251500, "count", "count", 1500, "1500", __LINE__);
    check_select(1500, 251500, "requests", "requests", 1500, "1500requests", __LINE__);
    check_select(1500, 251500, "\xce\xbc" "s", "\xce\xbc" "s", 250000, "250000\xce\xbc" "s", __LINE__);
    /* Seconds switching to hours via 100*min. */
    check_select(1500, 251503, "sec", "hrs", 1500, "0.42hrs", __LINE__);
    /* GCU: the chosen canonical name is not an alias, so the values end up
     * in the default unit, as pprof prints them. */
    check_select(1500, 251500, "gcu", "k*GCU", 250000, "250000GCU", __LINE__);
    check_select(1500, 251500, "nanogcu", "u*GCU", 250000, "0", __LINE__);
    check_select(1500, 251500, "milligcu", "GCU", 1500, "1.50GCU", __LINE__);
    /* 100*min overflows here; it must wrap as in Go, not be undefined. For
     * known units min and max are then both in the top unit anyway. */
    CHECK_STR(pprof_unit_select_minimum(INT64_MAX / 50, INT64_MAX, "ns"), "hrs");
    CHECK_STR(pprof_unit_select_minimum(0, 0, "ns"), "s");
    CHECK_STR(pprof_unit_select_minimum(0, 0, "count"), "count");
    CHECK_STR(pprof_unit_select_minimum(5, 10, NULL), "");
}

static void test_compatible_finest(void)
{
    CHECK(pprof_unit_compatible("ms", "nanoseconds"));
    CHECK(pprof_unit_compatible("bytes", "kB"));
    CHECK(pprof_unit_compatible("gcu", "nanogcu"));
    CHECK(pprof_unit_compatible("count", "count"));
    CHECK(pprof_unit_compatible("", ""));
    CHECK(!pprof_unit_compatible("kB", "ns"));
    CHECK(!pprof_unit_compatible("count", "samples"));
    CHECK(!pprof_unit_compatible("count", "ns"));
    CHECK(!pprof_unit_compatible("n*GCU", "gcu"));
    CHECK(!pprof_unit_compatible("\xce\xbc" "s", "ns"));

    double fa = 0, fb = 0;
    CHECK_STR(pprof_unit_finest("ms", "ns", &fa, &fb), "ns");
    CHECK(fa == 1e6 && fb == 1.0);
    CHECK_STR(pprof_unit_finest("nanoseconds", "milliseconds", &fa, &fb), "ns");
    CHECK(fa == 1.0 && fb == 1e6);
    CHECK_STR(pprof_unit_finest("seconds", "hours", &fa, &fb), "s");
    CHECK(fa == 1.0 && fb == 3600.0);
    CHECK_STR(pprof_unit_finest("kB", "kilobytes", &fa, &fb), "kB");
    CHECK(fa == 1.0 && fb == 1.0);
    CHECK_STR(pprof_unit_finest("MB", "bytes", &fa, &fb), "B");
    CHECK(fa == 1048576.0 && fb == 1.0);
    CHECK_STR(pprof_unit_finest("gcu", "nanogcu", &fa, &fb), "n*GCU");
    CHECK(close_to(fa, 1e9) && fb == 1.0);
    CHECK_STR(pprof_unit_finest("megagcu", "milligcu", &fa, &fb), "m*GCU");
    CHECK(close_to(fa, 1e9) && fb == 1.0);

    /* No common family: NULL, factors 1 (no conversion to apply). */
    fa = fb = 0;
    CHECK(pprof_unit_finest("kB", "ns", &fa, &fb) == NULL);
    CHECK(fa == 1.0 && fb == 1.0);
    CHECK(pprof_unit_finest("count", "count", &fa, &fb) == NULL);
    CHECK(pprof_unit_finest(NULL, "ns", NULL, NULL) == NULL);
    CHECK_STR(pprof_unit_finest("us", "ms", NULL, NULL), "us");
}

/* pprof's file name trimming (-trim_path, -source_path, /proc/self/cwd). */
static void test_trim_source_path(void)
{
    CHECK_STR(pprof_trim_source_path("/proc/self/cwd/a/b.go", NULL, NULL), "a/b.go");
    CHECK_STR(pprof_trim_source_path("/proc/self/cwd/./a/b.go", "", ""), "a/b.go");
    CHECK_STR(pprof_trim_source_path("/build/src/a/b.go", "/build/src", NULL), "a/b.go");
    CHECK_STR(pprof_trim_source_path("/build/src/a/b.go", "/build/src/", NULL), "a/b.go");
    CHECK_STR(pprof_trim_source_path("/build/srcx/a.go", "/build/src", NULL), "/build/srcx/a.go"); /* whole dirs */
    CHECK_STR(pprof_trim_source_path("/x/a.go", "/y:/x", NULL), "a.go");                         /* the first that fits */
    CHECK_STR(pprof_trim_source_path("/x/a.go", "/y:", NULL), "x/a.go");                          /* an empty one is "/" */
    CHECK_STR(pprof_trim_source_path("/proc/self/cwd/a.go", "/y", NULL), "a.go");                 /* cwd still goes */
    /* Without -trim_path: "/<base of a search dir>/" cuts, before cwd. */
    CHECK_STR(pprof_trim_source_path("/usr/lib/go/src/runtime/m.go", NULL, "/build/src"), "runtime/m.go");
    CHECK_STR(pprof_trim_source_path("/proc/self/cwd/sub/a.go", NULL, "/q/sub/"), "a.go");
    CHECK_STR(pprof_trim_source_path("/a/srcx/b.go", NULL, "/q/src:/w/srcx"), "b.go");
    CHECK_STR(pprof_trim_source_path("/a/srcx/b.go", "/zz", "/w/srcx"), "/a/srcx/b.go"); /* not with -trim_path */
    CHECK_STR(pprof_trim_source_path("b.go", NULL, "/w/srcx"), "b.go");
    CHECK(pprof_trim_source_path(NULL, "/x", "/y") == NULL);
}

/* The formatting without printf (two decimals made from an integer) must
 * print what printf prints, ties included (1.005 is just under in binary,
 * 0.125 and 2.675... are exact or just off): values in seconds from
 * nanoseconds, kB from bytes, and percentages, against snprintf. */
static uint64_t rng_state = 88172645463325252u;
static uint64_t rng(void)
{
    return unit_rng(&rng_state);
}

static void want_scaled(char *out, size_t n, int64_t value, const char *from, const char *to)
{
    const char *unit;
    double v = pprof_unit_scale(value, from, to, &unit);
    char num[400];
    snprintf(num, sizeof num, "%.2f", v);
    size_t len = strlen(num);
    if (len >= 3 && strcmp(num + len - 3, ".00") == 0)
        num[len - 3] = '\0';
    if (strcmp(num, "0") == 0 || strcmp(num, "-0") == 0)
        snprintf(out, n, "0");
    else
        snprintf(out, n, "%s%s", num, unit);
}

static void want_percent(char *out, size_t n, int64_t value, int64_t total)
{
    double r = total ? fabs((double)value / (double)total) * 100.0 : 0.0;
    if (r >= 99.95 && r <= 100.05)
        snprintf(out, n, "  100%%");
    else if (r >= 1.0)
        snprintf(out, n, "%5.2f%%", r);
    else
        snprintf(out, n, "%5.2g%%", r);
}

/* Compares pprof_format_percent with printf for value of total; counts a
 * mismatch in *bad (the first few are printed) and the check in *checked. */
static void same_percent(size_t *bad, size_t *checked, int64_t value, int64_t total)
{
    char got[64], want[64];
    pprof_format_percent(got, sizeof got, value, total);
    want_percent(want, sizeof want, value, total);
    if (strcmp(got, want) != 0 && ++*bad < 5)
        fprintf(stderr, "percent %lld of %lld: %s, printf %s\n", (long long)value, (long long)total, got, want);
    ++*checked;
}

static void test_format_as_printf(void)
{
    static const char *const units[][2] = {{"ns", "s"}, {"ns", "ms"}, {"bytes", "kB"}, {"count", "auto"}, {"ns", "auto"}};
    size_t bad = 0, checked = 0;
    for (int i = 0; i < 400000; i++) {
        int64_t v;
        switch (i % 5) {
        case 0: v = (int64_t)(rng() % 100000000000000u); break;            /* anything */
        case 1: v = (int64_t)(rng() % 1000000) * 5000000 + 5000000; break; /* ties in s: x.xx5 */
        case 2: v = (int64_t)(rng() % 100000) * 1000000; break;            /* ms */
        case 3: v = (int64_t)(rng() % 2000) - 1000; break;                 /* small, negative */
        default: v = -(int64_t)(rng() % 10000000000000u); break;
        }
        char got[128], want[128];
        const char *const *u = units[i % 5];
        pprof_format_scaled(got, sizeof got, v, u[0], u[1]);
        want_scaled(want, sizeof want, v, u[0], u[1]);
        bad += strcmp(got, want) != 0;
        if (strcmp(got, want) != 0 && bad < 5)
            fprintf(stderr, "format %lld %s->%s: %s, printf %s\n", (long long)v, u[0], u[1], got, want);
        int64_t total = (int64_t)(rng() % 1000000000) + 1;
        int64_t part = i % 3 == 0 ? (int64_t)(rng() % (uint64_t)total) : i % 3 == 1 ? total / (int64_t)(1 + rng() % 800) : total * 8 / 1000 + (int64_t)(rng() % 3);
        same_percent(&bad, &checked, part, total);
        checked++;
    }
    /* Ties and near-ties written out. */
    static const int64_t ns[] = {1005000000, 1015000000, 1025000000, 2675000000, 125000000, 135000000, 1125000,
                                 9995000000, 999995000000, 4503599627370495, 1};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        char got[128], want[128];
        pprof_format_scaled(got, sizeof got, ns[i], "ns", "s");
        want_scaled(want, sizeof want, ns[i], "ns", "s");
        bad += strcmp(got, want) != 0;
        checked++;
    }
    CHECK_INT(bad, 0);
    CHECK(checked > 800000);
}


/* Percentages under 0.125 ("%5.2g%%", made without printf from 1e-4) must
 * print what printf prints: random small parts of random totals, parts
 * near each rounding boundary (0.0095, 0.00995, 0.01, 0.005 ... times the
 * total), powers of ten, zero and negative parts. */
static void test_small_percent_as_printf(void)
{
    size_t bad = 0, checked = 0;
    static const double marks[] = {1e-4,  1e-3,   1e-2,    1e-1,    0.125,  9.95e-5, 9.995e-4, 9.95e-4,
                                   0.0095, 0.00995, 0.0995, 0.005,   0.0005, 0.00015, 0.00125, 0.0125,
                                   0.055,  0.0045,  0.00045, 0.000125, 0.1195, 0.1249, 0.0999, 0.00099};
    for (int i = 0; i < 600000; i++) {
        int64_t total = (int64_t)(rng() % 4000000000000u) + 1;
        int64_t part;
        switch (i % 4) {
        case 0: part = total / (int64_t)(8 + rng() % 2000000); break;                /* anything small */
        case 1: part = (int64_t)((double)total * marks[rng() % 24] / 100.0) + (int64_t)(rng() % 5) - 2; break;
        case 2: total = (int64_t)(rng() % 100000) + 1; part = (int64_t)(rng() % 200); break; /* small totals */
        default: part = -(total / (int64_t)(8 + rng() % 20000000)); break;            /* negative */
        }
        same_percent(&bad, &checked, part, total);
    }
    /* Exact doubles at and next to each boundary, as ratios of 2^53. */
    for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++) {
        int64_t total = (int64_t)1 << 53;
        int64_t at = (int64_t)((double)total * marks[m] / 100.0);
        for (int64_t d = -3; d <= 3; d++) {
            same_percent(&bad, &checked, at + d, total);
        }
    }
    /* Parts whose percentage lies within a few units of the last place
     * from a rounding tie of the two digits (m + 0.5) * 10^(x - 1): huge
     * totals make ratios that close. */
    for (int i = 0; i < 300000; i++) {
        int64_t total = INT64_MAX - (int64_t)(rng() % ((uint64_t)1 << 61));
        int x = -(int)(rng() % 4) - 1;
        double tie = ((double)(10 + rng() % 90) + 0.5) * pow(10, x - 1);
        int64_t part = (int64_t)(tie / 100.0 * (double)total) + (int64_t)(i % 5) - 2;
        same_percent(&bad, &checked, part, total);
    }
    char got[64];
    pprof_format_percent(got, sizeof got, 0, 1000);
    CHECK_STR(got, "    0%");
    pprof_format_percent(got, sizeof got, 16, 1000000);
    CHECK_STR(got, "0.0016%");
    pprof_format_percent(got, sizeof got, 1, 1000);
    CHECK_STR(got, "  0.1%");
    CHECK_INT(bad, 0);
    CHECK(checked > 600000);
}

/* Values under 0.125 in their unit ("%.2f", made without printf unless
 * the rounding cannot tell): random ones, near each half of a hundredth
 * (0.005, 0.015 ... 0.125 s), negative ones, and zero. */
static void test_small_values_as_printf(void)
{
    size_t bad = 0, checked = 0;
    static const char *const units[][2] = {{"ns", "s"}, {"ns", "ms"}, {"bytes", "MB"}, {"count", "auto"}};
    for (int i = 0; i < 400000; i++) {
        int64_t v;
        switch (i % 4) {
        case 0: v = (int64_t)(rng() % 130000000); break;
        case 1: v = (int64_t)(rng() % 13) * 10000000 + 5000000 + (int64_t)(rng() % 5) - 2; break;
        case 2: v = -(int64_t)(rng() % 130000000); break;
        default: v = (int64_t)(rng() % 140000); break;
        }
        const char *const *u = units[(i / 4) % 4];
        char got[128], want[128];
        pprof_format_scaled(got, sizeof got, v, u[0], u[1]);
        want_scaled(want, sizeof want, v, u[0], u[1]);
        bad += strcmp(got, want) != 0;
        if (strcmp(got, want) != 0 && bad < 5)
            fprintf(stderr, "format %lld %s->%s: %s, printf %s\n", (long long)v, u[0], u[1], got, want);
        checked++;
    }
    char got[64];
    pprof_format_scaled(got, sizeof got, 5000000, "ns", "s");
    CHECK_STR(got, "0.01s"); /* 0.005 is just above in binary */
    pprof_format_scaled(got, sizeof got, 15000000, "ns", "s");
    CHECK_STR(got, "0.01s"); /* 0.015 is just below */
    pprof_format_scaled(got, sizeof got, -3000000, "ns", "s");
    CHECK_STR(got, "0"); /* -0.00: zero, bare */
    CHECK_INT(bad, 0);
    CHECK(checked >= 400000);
}

/* pprof_value_format (units looked up once) must print what
 * pprof_format_scaled prints, for every kind of unit pair: known and
 * unknown units, fixed and automatic targets, other families' targets,
 * zero, negative, INT64_MIN and INT64_MAX, ties. */
static void test_value_format(void)
{
    static const char *const units[][2] = {
        {"nanoseconds", "s"}, {"ns", "ms"},    {"ns", "us"},      {"bytes", "kB"}, {"bytes", "MB"},
        {"bytes", "B"},       {"count", "auto"}, {"ns", "auto"},  {"ns", "minimum"}, {"count", "count"},
        {"requests", "requests"}, {"ns", "MB"}, {"bytes", "hrs"}, {"", ""}, {"microgcu", "GCU"},
        {"seconds", "ns"},    {"ns", "bogus"}, {"count", "ms"}};
    size_t n_units = sizeof units / sizeof units[0];
    static const int64_t edges[] = {0, 1, -1, 5, -5, 1005000000, -1005000000, 2675000000, 125000000,
                                    INT64_MAX, INT64_MIN, INT64_MIN + 1, 4503599627370495, 999995000000};
    size_t bad = 0, checked = 0;
    for (size_t u = 0; u < n_units; u++) {
        pprof_value_format f;
        pprof_value_format_init(&f, units[u][0], units[u][1]);
        for (int i = 0; i < 40000 + (int)(sizeof edges / sizeof edges[0]); i++) {
            int64_t v;
            if (i < (int)(sizeof edges / sizeof edges[0]))
                v = edges[i];
            else if (i % 3 == 0)
                v = (int64_t)(rng() % 100000000000000u) - 50000000000000;
            else if (i % 3 == 1)
                v = (int64_t)(rng() % 1000000) * 5000000 + 5000000;
            else
                v = (int64_t)rng();
            char got[128], want[128];
            memset(got, 'x', sizeof got);
            size_t len = pprof_value_format_put(&f, got, sizeof got, v);
            pprof_format_scaled(want, sizeof want, v, units[u][0], units[u][1]);
            bool same = strcmp(got, want) == 0 && len == strlen(want);
            bad += !same;
            if (!same && bad < 5)
                fprintf(stderr, "value %lld %s->%s: %s (%zu), want %s\n", (long long)v, units[u][0], units[u][1],
                        got, len, want);
            checked++;
        }
    }
    CHECK_INT(bad, 0);
    CHECK(checked > 700000);
}

int main(void)
{
    test_trim_source_path();
    test_scale();
    test_sniffing();
    test_format_scaled();
    test_percent();
    test_format_as_printf();
    test_small_percent_as_printf();
    test_small_values_as_printf();
    test_value_format();
    test_select_minimum();
    test_compatible_finest();
    return unit_report("units");
}
