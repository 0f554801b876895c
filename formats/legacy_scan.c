/* legacy_scan.c: text helpers of the legacy readers: line scanning, Go-like string tests, number parsing, heap sample scaling. */
#include "legacy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ scanning */

void lg_scanner_init(lg_scanner *s, const char *data, size_t len)
{
    memset(s, 0, sizeof *s);
    s->data = data;
    s->len = len;
    s->text.p = "";
}

bool lg_scan(lg_scanner *s)
{
    s->text.p = "";
    s->text.n = 0;
    if (s->too_long || s->pos >= s->len)
        return false;
    const char *start = s->data + s->pos;
    size_t rem = s->len - s->pos;
    const char *nl = memchr(start, '\n', rem);
    size_t n = nl ? (size_t)(nl - start) : rem;
    if (n > LG_MAX_LINE) {
        s->too_long = true;
        s->line_no++;
        return false;
    }
    s->pos += n + (nl ? 1 : 0);
    s->line_no++;
    s->text.p = start;
    s->text.n = (n > 0 && start[n - 1] == '\r') ? n - 1 : n;
    return true;
}

int lg_scan_error(const lg_scanner *s, pprof_error *err)
{
    return pprof_error_set(err, PPROF_EFORMAT,
                           "legacy profile: line %zu: token too long (more than %d bytes)",
                           s->line_no, LG_MAX_LINE);
}

/* ================================================================ strings */

/* Length of the Unicode white-space character (as Go's unicode.IsSpace)
 * starting at p, or 0. */
static size_t space_at(const unsigned char *p, size_t n)
{
    if (n >= 1 && (p[0] == ' ' || (p[0] >= '\t' && p[0] <= '\r')))
        return 1;
    if (n >= 2 && p[0] == 0xC2 && (p[1] == 0x85 || p[1] == 0xA0))
        return 2;
    if (n >= 3) {
        if (p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80)
            return 3; /* U+1680 */
        if (p[0] == 0xE2 && p[1] == 0x80 &&
            ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF))
            return 3; /* U+2000..200A, 2028, 2029, 202F */
        if (p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F)
            return 3; /* U+205F */
        if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
            return 3; /* U+3000 */
    }
    return 0;
}

/* Length of the white-space character ending s[0..n), or 0. */
static size_t space_before(const unsigned char *s, size_t n)
{
    if (n >= 1 && space_at(s + n - 1, 1) == 1)
        return 1;
    if (n >= 2 && space_at(s + n - 2, 2) == 2)
        return 2;
    if (n >= 3 && space_at(s + n - 3, 3) == 3)
        return 3;
    return 0;
}

lg_str lg_trim(lg_str s)
{
    const unsigned char *p = (const unsigned char *)s.p;
    size_t a = 0, b = s.n, k;
    while (a < b && (k = space_at(p + a, b - a)) > 0)
        a += k;
    while (b > a && (k = space_before(p + a, b - a)) > 0)
        b -= k;
    return (lg_str){s.p + a, b - a};
}

bool lg_has_prefix(lg_str s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.n >= n && memcmp(s.p, prefix, n) == 0;
}

size_t lg_find(lg_str s, size_t from, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return from <= s.n ? from : SIZE_MAX;
    while (from < s.n && s.n - from >= n) {
        const char *hit = memchr(s.p + from, needle[0], s.n - from - n + 1);
        if (!hit)
            return SIZE_MAX;
        size_t i = (size_t)(hit - s.p);
        if (memcmp(hit, needle, n) == 0)
            return i;
        from = i + 1;
    }
    return SIZE_MAX;
}

bool lg_contains(lg_str s, const char *needle)
{
    return lg_find(s, 0, needle) != SIZE_MAX;
}

bool lg_eq(lg_str s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

bool lg_is_re_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

bool lg_is_digit(int c)
{
    return c >= '0' && c <= '9';
}

bool lg_is_xdigit(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

size_t lg_run(lg_str s, size_t i, bool (*pred)(int))
{
    while (i < s.n && pred((unsigned char)s.p[i]))
        i++;
    return i;
}

bool lg_is_space_or_comment(lg_str line)
{
    lg_str t = lg_trim(line);
    return t.n == 0 || t.p[0] == '#';
}

bool lg_is_map_sentinel(lg_str line)
{
    return lg_contains(line, "--- Memory map: ---") || lg_contains(line, "MAPPED_LIBRARIES:");
}

/* ================================================================ numbers */

static int lower(int c)
{
    return c | 0x20;
}

/* Go's underscoreOK: '_' only between digits (or after a base prefix). */
static bool underscore_ok(lg_str s)
{
    char saw = '^';
    size_t i = 0;
    if (s.n >= 1 && (s.p[0] == '-' || s.p[0] == '+')) {
        s.p++;
        s.n--;
    }
    bool hex = false;
    if (s.n >= 2 && s.p[0] == '0' &&
        (lower(s.p[1]) == 'b' || lower(s.p[1]) == 'o' || lower(s.p[1]) == 'x')) {
        i = 2;
        saw = '0';
        hex = lower(s.p[1]) == 'x';
    }
    for (; i < s.n; i++) {
        int c = (unsigned char)s.p[i];
        if (lg_is_digit(c) || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
            saw = '0';
            continue;
        }
        if (c == '_') {
            if (saw != '0')
                return false;
            saw = '_';
            continue;
        }
        if (saw == '_')
            return false;
        saw = '!';
    }
    return saw != '_';
}

bool lg_parse_uint(lg_str s, int base, uint64_t *out)
{
    lg_str s0 = s;
    bool base0 = false;
    if (s.n == 0)
        return false;
    if (base == 0) {
        base0 = true;
        base = 10;
        if (s.p[0] == '0') {
            if (s.n >= 3 && lower(s.p[1]) == 'b') {
                base = 2;
                s.p += 2, s.n -= 2;
            } else if (s.n >= 3 && lower(s.p[1]) == 'o') {
                base = 8;
                s.p += 2, s.n -= 2;
            } else if (s.n >= 3 && lower(s.p[1]) == 'x') {
                base = 16;
                s.p += 2, s.n -= 2;
            } else {
                base = 8;
                s.p += 1, s.n -= 1;
            }
        }
    }
    uint64_t v = 0;
    bool underscores = false;
    for (size_t i = 0; i < s.n; i++) {
        int c = (unsigned char)s.p[i], d;
        if (c == '_' && base0) {
            underscores = true;
            continue;
        }
        if (lg_is_digit(c))
            d = c - '0';
        else if (lower(c) >= 'a' && lower(c) <= 'z')
            d = lower(c) - 'a' + 10;
        else
            return false;
        if (d >= base)
            return false;
        if (__builtin_mul_overflow(v, (uint64_t)base, &v) ||
            __builtin_add_overflow(v, (uint64_t)d, &v))
            return false;
    }
    if (underscores && !underscore_ok(s0))
        return false;
    *out = v;
    return true;
}

bool lg_parse_int(lg_str s, int base, int64_t *out)
{
    if (s.n == 0)
        return false;
    bool neg = false;
    lg_str u = s;
    if (s.p[0] == '+' || s.p[0] == '-') {
        neg = s.p[0] == '-';
        u.p++;
        u.n--;
    }
    uint64_t v;
    if (!lg_parse_uint(u, base, &v))
        return false;
    if (!neg && v > (uint64_t)INT64_MAX)
        return false;
    if (neg && v > (uint64_t)INT64_MAX + 1)
        return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

int64_t lg_f64_to_i64(double f)
{
    if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0))
        return INT64_MIN;
    return (int64_t)f;
}

int64_t lg_mul_wrap(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a * (uint64_t)b);
}

static double f64_from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/* e^x computed as the reference computes it (Go's math.Exp on amd64 with
 * FMA: Shibata's method, argument reduction by ln 2 and 16, a degree-8
 * Taylor polynomial, four squarings). It is not always correctly rounded,
 * and unsampling heap values divides by 1 - e^x, which magnifies a
 * last-bit difference enough to change truncated counts; so libm's exp
 * would not give the same numbers. One operation per statement: no
 * contraction into other fused operations. */
static double go_exp(double x)
{
    static const double ln2_hi = 0.69314718055966295651160180568695068359375;
    static const double ln2_lo = 0.28235290563031577122588448175013436025525412068e-12;
    static const double log2e = 1.4426950408889634073599246810018920;
    static const double poly[] = {2.4801587301587301587e-5, 1.9841269841269841270e-4,
                                  1.3888888888888888889e-3, 8.3333333333333333333e-3,
                                  4.1666666666666666667e-2, 1.6666666666666666667e-1,
                                  0.5, 1.0};
    if (isnan(x) || x == INFINITY)
        return x;
    if (x == -INFINITY)
        return 0;
    if (x > 7.09782712893384e+02)
        return INFINITY;
    double t = x * log2e;
    double r = rint(t);
    int32_t k = (r >= -2147483648.0 && r <= 2147483647.0) ? (int32_t)r : INT32_MIN;
    double kd = (double)k;
    double y = fma(-kd, ln2_hi, x);
    y = fma(-kd, ln2_lo, y);
    y = y * 0.0625;
    double p = poly[0];
    for (size_t i = 1; i < sizeof poly / sizeof poly[0]; i++)
        p = fma(p, y, poly[i]);
    y = y * p; /* e^y - 1, then squared four times: (1+y)^2 - 1 = y(y+2) */
    for (int i = 0; i < 3; i++) {
        double q = y + 2.0;
        y = y * q;
    }
    double q = y + 2.0;
    y = fma(y, q, 1.0);
    int64_t e = (int64_t)k + 0x3FF;
    if (e >= 0x7FF)
        return INFINITY;
    if (e <= 0) {
        if (e < -52)
            return 0;
        y = y * f64_from_bits((uint64_t)(e + 0x3FE) << 52);
        e = 1;
    }
    return y * f64_from_bits((uint64_t)e << 52);
}

void lg_scale_heap(int64_t *count, int64_t *size, int64_t rate)
{
    if (*count == 0 || *size == 0) {
        *count = *size = 0;
        return;
    }
    if (rate <= 1)
        return;
    double avg = (double)*size / (double)*count;
    double scale = 1 / (1 - go_exp(-avg / (double)rate));
    *count = lg_f64_to_i64((double)*count * scale);
    *size = lg_f64_to_i64((double)*size * scale);
}

