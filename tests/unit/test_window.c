/* test_window.c: time windows: parsing START..END bounds, resolving offsets, overlap, and reading a profile's times. */
#include "pprof.h"
#include "unit.h"

#include <string.h>

#define SEC 1000000000LL
/* 2025-11-23 09:00:00 UTC */
#define T0 (1763888400LL * SEC)
/* "now": 2026-11-23 13:05:00 UTC */
#define NOW (1795439100LL * SEC)

static int64_t start_of(const char *text, int64_t latest, int *rc)
{
    pprof_time_window w;
    pprof_error err;
    *rc = pprof_window_parse(&w, text, NOW, &err);
    int64_t s = 0, e = 0;
    if (*rc == 0)
        pprof_window_resolve(&w, latest, &s, &e);
    return s;
}

static int64_t end_of(const char *text, int64_t latest, int *rc)
{
    pprof_time_window w;
    pprof_error err;
    *rc = pprof_window_parse(&w, text, NOW, &err);
    int64_t s = 0, e = 0;
    if (*rc == 0)
        pprof_window_resolve(&w, latest, &s, &e);
    return e;
}

static void test_absolute(void)
{
    int rc;
    CHECK_INT(start_of("2025-11-23T09:00:00Z..2025-11-23T10:00:00Z", 0, &rc), T0);
    CHECK_INT(rc, 0);
    CHECK_INT(end_of("2025-11-23T09:00:00Z..2025-11-23T10:00:00Z", 0, &rc), T0 + 3600 * SEC);
    CHECK_INT(start_of("2025-11-23T10:00:00+01:00..", 0, &rc), T0);
    CHECK_INT(start_of("2025-11-23T04:30:00-04:30..", 0, &rc), T0);
    CHECK_INT(start_of("2025-11-23 09:00:00.25Z..", 0, &rc), T0 + SEC / 4);
    CHECK_INT(start_of("2025-11-23t09:00z..", 0, &rc), T0);
    CHECK_INT(start_of("2025-11-23..", 0, &rc), T0 - 9 * 3600 * SEC);
    CHECK_INT(start_of("2025-11-23T09:00:00..", 0, &rc), T0); /* no zone: UTC */
    CHECK_INT(start_of("2000-02-29T00:00:00Z..", 0, &rc), 951782400LL * SEC);
    CHECK_INT(rc, 0);
    CHECK_INT(start_of("1969-12-31T23:59:59Z..", 0, &rc), -SEC);
}

static void test_time_of_day(void)
{
    int rc;
    /* Today is 2026-11-23 in UTC. */
    CHECK_INT(start_of("10:15..", 0, &rc), 1795428900LL * SEC);
    CHECK_INT(rc, 0);
    CHECK_INT(start_of("10:15:30..", 0, &rc), 1795428930LL * SEC);
    CHECK_INT(start_of("10:15Z..", 0, &rc), 1795428900LL * SEC);
    /* At +11:00 it is already 2026-11-24 00:05: 10:15 there is 2026-11-23 23:15 UTC. */
    CHECK_INT(start_of("10:15+11:00..", 0, &rc), 1795475700LL * SEC);
    /* At -14:00 it is still 2026-11-22 23:05. */
    CHECK_INT(start_of("10:15-14:00..", 0, &rc), 1795342500LL * SEC + 14 * 3600 * SEC);
    CHECK_INT(end_of("..23:59:59", 0, &rc), 1795478399LL * SEC);
}

static void test_relative(void)
{
    int rc;
    int64_t latest = T0 + 3600 * SEC;
    CHECK_INT(start_of("-30m..", latest, &rc), T0 + 1800 * SEC);
    CHECK_INT(rc, 0);
    CHECK_INT(end_of("-30m..", latest, &rc), INT64_MAX);
    CHECK_INT(start_of("-1h30m..-15m", latest, &rc), T0 - 1800 * SEC);
    CHECK_INT(end_of("-1h30m..-15m", latest, &rc), T0 + 2700 * SEC);
    CHECK_INT(start_of("-1.5h..", latest, &rc), T0 - 1800 * SEC);
    CHECK_INT(start_of("-90s..", latest, &rc), latest - 90 * SEC);
    CHECK_INT(start_of("-500ms..", latest, &rc), latest - SEC / 2);
    CHECK_INT(start_of("..", latest, &rc), INT64_MIN);
    CHECK_INT(start_of("-5m..", INT64_MIN, &rc), INT64_MIN); /* no profile has a time */
    CHECK_INT(end_of("..+5m", INT64_MAX, &rc), INT64_MAX);
    CHECK_INT(rc, 0);
}

static void test_errors(void)
{
    static const char *const bad[] = {
        "",  "10:00", "garbage..", "..garbage", "25:00..", "10:60..", "2025-13-01..", "2025-11-32..",
        "-30x..", "-..", "-m..", "10:00..09:00:00Z", "-10m..-20m", "2025-11-23T10:00Z..2025-11-23T09:00Z",
        "2025-11-23T09:00+24:00..", "10:00:00.5x..",
        "6023-11-14..", "..1600-01-01", /* past Unix nanoseconds in 64 bits (no overflow) */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pprof_time_window w;
        pprof_error err;
        int rc = pprof_window_parse(&w, bad[i], NOW, &err);
        CHECK(rc != 0);
        if (rc == 0)
            fprintf(stderr, "  accepted bad window \"%s\"\n", bad[i]);
        else
            CHECK(strstr(err.msg, bad[i]) != NULL); /* the message quotes the window */
    }
}

static void test_overlap(void)
{
    int64_t s = T0, e = T0 + 900 * SEC;
    CHECK(pprof_window_overlaps(s, e, T0 - 300 * SEC, 301 * SEC));   /* ends inside */
    CHECK(!pprof_window_overlaps(s, e, T0 - 300 * SEC, 300 * SEC));  /* ends at the start */
    CHECK(pprof_window_overlaps(s, e, T0 + 600 * SEC, 3600 * SEC));  /* starts inside */
    CHECK(!pprof_window_overlaps(s, e, e, 300 * SEC));               /* starts at the end */
    CHECK(pprof_window_overlaps(s, e, T0 - SEC, 3600 * SEC));        /* covers it */
    CHECK(pprof_window_overlaps(s, e, T0, 0));                       /* an instant at the start */
    CHECK(!pprof_window_overlaps(s, e, e, 0));                       /* an instant at the end */
    CHECK(pprof_window_overlaps(INT64_MIN, INT64_MAX, INT64_MAX - 1, INT64_MAX));
}

static void test_peek_and_format(void)
{
    pprof_profile *p = pprof_profile_new();
    p->time_nanos = T0 + 5;
    p->duration_nanos = 300 * SEC;
    pprof_str t, u;
    pprof_profile_intern(&t, p, "cpu", 3);
    pprof_profile_intern(&u, p, "nanoseconds", 11);
    pprof_profile_add_sample_type(p, (pprof_value_type){t, u});
    pprof_error err;
    for (int gz = 0; gz < 2; gz++) {
        pprof_buf b = {0};
        CHECK_INT(pprof_profile_encode(&b, p, gz, &err), 0);
        int64_t tn = -1, dn = -1;
        CHECK_INT(pprof_profile_peek_times(b.data, b.len, &tn, &dn, &err), 0);
        CHECK_INT(tn, T0 + 5);
        CHECK_INT(dn, 300 * SEC);
        if (b.len > 2) /* a cut sub-message is reported, not skipped */
            CHECK(pprof_profile_peek_times(b.data, b.len - (gz ? 9 : 2), &tn, &dn, &err) != 0 || !gz);
        pprof_buf_release(&b);
    }
    static const uint8_t junk[] = {0x0b, 0x01};
    int64_t tn, dn;
    CHECK(pprof_profile_peek_times(junk, sizeof junk, &tn, &dn, &err) != 0);
    pprof_profile_free(p);
    char buf[64];
    pprof_format_time(buf, sizeof buf, T0 + 1800 * SEC);
    CHECK_STR(buf, "2025-11-23 09:30:00 UTC");
    pprof_format_time(buf, sizeof buf, -SEC);
    CHECK_STR(buf, "1969-12-31 23:59:59 UTC");
    pprof_format_time(buf, sizeof buf, -1);
    CHECK_STR(buf, "1969-12-31 23:59:59 UTC");
    /* The extremes: no negation of INT64_MIN (UBSan, found by fuzz_window). */
    pprof_format_time(buf, sizeof buf, INT64_MIN);
    CHECK_STR(buf, "1677-09-21 00:12:43 UTC");
    pprof_format_time(buf, sizeof buf, INT64_MAX);
    CHECK_STR(buf, "2262-04-11 23:47:16 UTC");
}

int main(void)
{
    test_absolute();
    test_time_of_day();
    test_relative();
    test_errors();
    test_overlap();
    test_peek_and_format();
    return unit_report("window");
}
