/* time_window.c: time windows (-window=START..END): parsing the bounds and testing a profile's time span against them. */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_SEC 1000000000LL

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The date (y, m, d) of a day number. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Reads exactly n digits at *s. */
static bool digits(const char **s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*s)[i]))
            return false;
        v = v * 10 + ((*s)[i] - '0');
    }
    *s += n;
    *out = v;
    return true;
}

/* HH:MM[:SS[.frac]] into nanoseconds since midnight. */
static bool clock_time(const char **s, int64_t *out)
{
    int h, mi, sec = 0;
    int64_t frac = 0;
    if (!digits(s, 2, &h) || **s != ':')
        return false;
    (*s)++;
    if (!digits(s, 2, &mi))
        return false;
    if (**s == ':') {
        (*s)++;
        if (!digits(s, 2, &sec))
            return false;
        if (**s == '.' && isdigit((unsigned char)(*s)[1])) {
            (*s)++;
            int64_t scale = NS_PER_SEC / 10;
            for (; isdigit((unsigned char)**s); (*s)++, scale /= 10)
                frac += (**s - '0') * scale;
        }
    }
    if (h > 23 || mi > 59 || sec > 60)
        return false;
    *out = ((int64_t)h * 3600 + mi * 60 + sec) * NS_PER_SEC + frac;
    return true;
}

/* An optional zone: Z or +HH:MM / -HH:MM (or HHMM), as seconds east of UTC. */
static bool zone(const char **s, int64_t *offset, bool *given)
{
    *offset = 0;
    *given = false;
    if (**s == 'Z' || **s == 'z') {
        (*s)++;
        *given = true;
        return true;
    }
    if (**s != '+' && **s != '-')
        return true;
    int sign = **s == '-' ? -1 : 1;
    (*s)++;
    int h, m;
    if (!digits(s, 2, &h))
        return false;
    if (**s == ':')
        (*s)++;
    if (!digits(s, 2, &m) || h > 23 || m > 59)
        return false;
    *offset = sign * ((int64_t)h * 3600 + m * 60);
    *given = true;
    return true;
}

/* Go-style duration with a sign: -30m, -1h30m, +90s, -1.5h. */
static bool duration(const char *s, int64_t *out)
{
    static const struct {
        const char *name;
        double ns;
    } units[] = {{"ns", 1}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
    int sign = 1;
    if (*s == '-' || *s == '+')
        sign = *s++ == '-' ? -1 : 1;
    if (!*s)
        return false;
    double total = 0;
    while (*s) {
        char *end;
        if (!isdigit((unsigned char)*s) && *s != '.')
            return false;
        double v = pprof_strtod(s, &end);
        if (end == s)
            return false;
        s = end;
        size_t best = 0;
        double mult = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t n = strlen(units[i].name);
            if (strncmp(s, units[i].name, n) == 0 && n > best)
                best = n, mult = units[i].ns;
        }
        if (!best)
            return false;
        s += best;
        total += v * mult;
    }
    if (total > 9e18)
        return false;
    *out = sign * (int64_t)(total + 0.5);
    return true;
}

/* One bound: RFC 3339 date-time (or a date), a time of day, or an offset. */
static bool parse_bound(pprof_time_bound *b, const char *s, size_t len, int64_t now_ns)
{
    char buf[64];
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 0) {
        b->kind = PPROF_BOUND_OPEN;
        b->ns = 0;
        return true;
    }
    if (len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = 0;
    const char *p = buf;
    if (*p == '-' || *p == '+') {
        b->kind = PPROF_BOUND_RELATIVE;
        return duration(p, &b->ns);
    }
    int64_t day, clock = 0, off;
    bool zoned;
    int y, mo, d;
    if (len >= 10 && buf[4] == '-') {
        if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' || !digits(&p, 2, &d))
            return false;
        if (mo < 1 || mo > 12 || d < 1 || d > 31)
            return false;
        day = days_from_civil(y, mo, d);
        if (*p == 'T' || *p == 't' || *p == ' ') {
            p++;
            if (!clock_time(&p, &clock))
                return false;
        }
        if (!zone(&p, &off, &zoned) || *p)
            return false;
    } else {
        /* A time of day: today, in the zone it names (UTC by default). */
        if (!clock_time(&p, &clock) || !zone(&p, &off, &zoned) || *p)
            return false;
        int64_t local = now_ns / NS_PER_SEC + off;
        int64_t today = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
        int64_t yy;
        civil_from_days(today, &yy, &mo, &d);
        day = days_from_civil(yy, mo, d);
    }
    b->kind = PPROF_BOUND_ABSOLUTE;
    /* Years past 2262 (or before 1677) do not fit Unix nanoseconds in 64
     * bits: not a time we can compare (no overflow; found by fuzz_window). */
    int64_t ns;
    return !__builtin_mul_overflow(day, 86400 * NS_PER_SEC, &ns) && !__builtin_add_overflow(ns, clock, &ns) &&
           !__builtin_sub_overflow(ns, off * NS_PER_SEC, &b->ns);
}

int pprof_window_parse(pprof_time_window *w, const char *text, int64_t now_ns, pprof_error *err)
{
    memset(w, 0, sizeof *w);
    const char *sep = strstr(text, "..");
    if (!sep)
        return pprof_error_set(err, PPROF_EINVAL, "window \"%s\" is not START..END", text);
    const char *end = sep + 2;
    if (!parse_bound(&w->start, text, (size_t)(sep - text), now_ns))
        return pprof_error_set(err, PPROF_EINVAL,
                               "window \"%s\": bad start \"%.*s\" (want an RFC 3339 time such as "
                               "2026-11-23T10:00:00Z, a time of day such as 10:15, or an offset such as -30m)",
                               text, (int)(sep - text), text);
    if (!parse_bound(&w->end, end, strlen(end), now_ns))
        return pprof_error_set(err, PPROF_EINVAL,
                               "window \"%s\": bad end \"%s\" (want an RFC 3339 time such as "
                               "2026-11-23T10:00:00Z, a time of day such as 10:15, or an offset such as -30m)",
                               text, end);
    if (w->start.kind == PPROF_BOUND_ABSOLUTE && w->end.kind == PPROF_BOUND_ABSOLUTE &&
        w->end.ns <= w->start.ns)
        return pprof_error_set(err, PPROF_EINVAL, "window \"%s\" ends before it starts", text);
    if (w->start.kind == PPROF_BOUND_RELATIVE && w->end.kind == PPROF_BOUND_RELATIVE &&
        w->end.ns <= w->start.ns)
        return pprof_error_set(err, PPROF_EINVAL, "window \"%s\" ends before it starts", text);
    return 0;
}

static int64_t resolve(const pprof_time_bound *b, int64_t latest, int64_t open)
{
    switch (b->kind) {
    case PPROF_BOUND_ABSOLUTE:
        return b->ns;
    case PPROF_BOUND_RELATIVE: {
        int64_t t;
        if (__builtin_add_overflow(latest, b->ns, &t))
            return b->ns < 0 ? INT64_MIN : INT64_MAX;
        return t;
    }
    default:
        return open;
    }
}

void pprof_window_resolve(const pprof_time_window *w, int64_t latest, int64_t *start, int64_t *end)
{
    *start = resolve(&w->start, latest, INT64_MIN);
    *end = resolve(&w->end, latest, INT64_MAX);
}

bool pprof_window_overlaps(int64_t start, int64_t end, int64_t time_nanos, int64_t duration_nanos)
{
    if (duration_nanos <= 0)
        return time_nanos >= start && time_nanos < end;
    int64_t until = time_nanos > INT64_MAX - duration_nanos ? INT64_MAX : time_nanos + duration_nanos;
    return time_nanos < end && until > start;
}

int pprof_format_time(char *buf, size_t n, int64_t ns)
{
    /* Floor divisions, without negating (-INT64_MIN overflows). */
    int64_t sec = ns / NS_PER_SEC - (ns % NS_PER_SEC < 0);
    int64_t day = sec / 86400 - (sec % 86400 < 0);
    int64_t rem = sec - day * 86400;
    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    return snprintf(buf, n, "%04lld-%02d-%02d %02d:%02d:%02d UTC", (long long)y, m, d, (int)(rem / 3600),
                    (int)(rem / 60 % 60), (int)(rem % 60));
}
