/* legacy_maps.c: legacy readers' shared parts: text helpers, builder, memory maps, pprof_read_legacy. */
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

/* ================================================================ builder */

int lg_grow(void **ptr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return PPROF_ENOMEM;
        c *= 2;
    }
    if (c > SIZE_MAX / elem)
        return PPROF_ENOMEM;
    void *p = realloc(*ptr, c * elem);
    if (!p)
        return PPROF_ENOMEM;
    *ptr = p;
    *cap = c;
    return 0;
}

void lg_profile_init(lg_profile *lp)
{
    memset(lp, 0, sizeof *lp);
}

void lg_profile_release(lg_profile *lp)
{
    free(lp->samples);
    free(lp->values);
    free(lp->frames);
    free(lp->locs);
    free(lp->slots);
    free(lp->order);
    free(lp->maps);
    pprof_buf_release(&lp->pool);
    free(lp->funcs);
    free(lp->fslots);
    free(lp->func_order);
    free(lp->tmp);
    memset(lp, 0, sizeof *lp);
}

void lg_set_types(lg_profile *lp, const char *const *names, size_t n)
{
    lp->n_types = n > 4 ? 4 : n;
    for (size_t i = 0; i < lp->n_types; i++) {
        lp->types[i][0] = (lg_str){names[2 * i], strlen(names[2 * i])};
        lp->types[i][1] = (lg_str){names[2 * i + 1], strlen(names[2 * i + 1])};
    }
}

static size_t slot_of(uint64_t key, size_t mask)
{
    uint64_t x = key;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x & mask;
}

bool lg_find_location(const lg_profile *lp, uint64_t key, uint32_t *out)
{
    if (!lp->n_slots)
        return false;
    size_t mask = lp->n_slots - 1;
    for (size_t i = slot_of(key, mask);; i = (i + 1) & mask) {
        uint32_t v = lp->slots[i];
        if (!v)
            return false;
        if (lp->locs[v - 1].addr == key) {
            *out = v - 1;
            return true;
        }
    }
}

static int rehash(lg_profile *lp, size_t n_slots)
{
    uint32_t *t = calloc(n_slots, sizeof *t);
    if (!t)
        return PPROF_ENOMEM;
    size_t mask = n_slots - 1;
    for (size_t k = 0; k < lp->n_locs; k++) {
        size_t i = slot_of(lp->locs[k].addr, mask);
        while (t[i])
            i = (i + 1) & mask;
        t[i] = (uint32_t)(k + 1);
    }
    free(lp->slots);
    lp->slots = t;
    lp->n_slots = n_slots;
    return 0;
}

int lg_location(lg_profile *lp, uint64_t key, uint32_t *out)
{
    if (lg_find_location(lp, key, out))
        return 0;
    if (lp->n_locs >= UINT32_MAX - 2)
        return PPROF_ELIMIT;
    if ((lp->n_locs + 1) * 2 > lp->n_slots) {
        if (lp->n_slots > SIZE_MAX / 4 || rehash(lp, lp->n_slots ? lp->n_slots * 2 : 256))
            return PPROF_ENOMEM;
    }
    if (LG_GROW(lp->locs, lp->cap_locs, lp->n_locs + 1))
        return PPROF_ENOMEM;
    uint32_t idx = (uint32_t)lp->n_locs++;
    lp->locs[idx] = (lg_loc){.addr = key, .func = LG_NONE, .mapping = LG_NONE};
    size_t mask = lp->n_slots - 1;
    size_t i = slot_of(key, mask);
    while (lp->slots[i])
        i = (i + 1) & mask;
    lp->slots[i] = idx + 1;
    *out = idx;
    return 0;
}

int lg_push_tmp(lg_profile *lp, uint64_t addr)
{
    if (LG_GROW(lp->tmp, lp->cap_tmp, lp->n_tmp + 1))
        return PPROF_ENOMEM;
    lp->tmp[lp->n_tmp++] = addr;
    return 0;
}

int lg_add_sample_addrs(lg_profile *lp, const int64_t *values, size_t n_values, size_t adjust_from)
{
    size_t n = lp->n_tmp;
    if (n > UINT32_MAX || lp->n_frames > SIZE_MAX - n)
        return PPROF_ELIMIT;
    /* one spare slot keeps frames allocated even for empty stacks */
    if (LG_GROW(lp->frames, lp->cap_frames, lp->n_frames + n + 1))
        return PPROF_ENOMEM;
    size_t base = lp->n_frames;
    for (size_t i = 0; i < n; i++) {
        uint64_t a = lp->tmp[i];
        if (i >= adjust_from)
            a--; /* return addresses point after the call */
        uint32_t idx;
        int rc = lg_location(lp, a, &idx);
        if (rc)
            return rc;
        lp->frames[base + i] = idx;
    }
    lp->n_tmp = 0;
    if (LG_GROW(lp->samples, lp->cap_samples, lp->n_samples + 1) ||
        LG_GROW(lp->values, lp->cap_values, (lp->n_samples + 1) * 4))
        return PPROF_ENOMEM;
    lp->samples[lp->n_samples] = (lg_sample){.off = base, .n = (uint32_t)n};
    lp->n_frames = base + n;
    memset(lp->values + lp->n_samples * 4, 0, 4 * sizeof *lp->values);
    memcpy(lp->values + lp->n_samples * 4, values, (n_values < 4 ? n_values : 4) * sizeof *values);
    lp->n_samples++;
    return 0;
}

void lg_drop_frame1(lg_profile *lp, size_t i)
{
    lg_sample *s = &lp->samples[i];
    if (s->n < 2)
        return;
    uint32_t *f = lp->frames + s->off;
    memmove(f + 1, f + 2, (s->n - 2) * sizeof *f);
    s->n--;
}

bool lg_hex_addresses(lg_profile *lp, lg_str s)
{
    for (size_t i = 0; i + 2 < s.n;) {
        if (s.p[i] == '0' && s.p[i + 1] == 'x') {
            size_t e = i + 2;
            while (e < s.n && (lg_is_digit((unsigned char)s.p[e]) || (s.p[e] >= 'a' && s.p[e] <= 'f')))
                e++;
            if (e > i + 2) {
                uint64_t v;
                if (!lg_parse_uint((lg_str){s.p + i, e - i}, 0, &v))
                    return false;
                if (lg_push_tmp(lp, v))
                    return false;
                i = e;
                continue;
            }
        }
        i++;
    }
    return true;
}

void lg_cleanup_duplicate_leaf(lg_profile *lp)
{
    for (size_t i = 0; i < lp->n_samples; i++) {
        const lg_sample *s = &lp->samples[i];
        const uint32_t *f = lp->frames + s->off;
        if (s->n > 1 && lp->locs[f[0]].addr == lp->locs[f[1]].addr + 1)
            lg_drop_frame1(lp, i);
    }
}

/* ================================================================ memory map */

/* The fields of one memory-map line (pprof's procMapsRE / briefMapsRE). */
typedef struct map_fields {
    lg_str start, end, perm, offset, file, bid;
} map_fields;

static bool is_perm(int c)
{
    return c == '-' || c == 'r' || c == 'w' || c == 'x' || c == 'p';
}

static bool is_not_space(int c)
{
    return !lg_is_re_space(c);
}

static lg_str sub(lg_str l, size_t a, size_t b)
{
    return (lg_str){l.p + a, b - a};
}

static int at(lg_str l, size_t i)
{
    return i < l.n ? (unsigned char)l.p[i] : -1;
}

/* One way of reading the leading "start-end" of a line. */
typedef struct hex_range {
    lg_str start, end;
    size_t next; /* after the optional ':' */
} hex_range;

/* "[0x]hex" at q, the second number of a range: true with its digits. */
static bool second_hex(lg_str l, size_t q, size_t *a, size_t *e)
{
    if (at(l, q) == '0' && at(l, q + 1) == 'x' && lg_is_xdigit(at(l, q + 2))) {
        *a = q + 2;
    } else if (lg_is_xdigit(at(l, q))) {
        *a = q;
    } else {
        return false;
    }
    *e = lg_run(l, *a, lg_is_xdigit);
    return true;
}

/* The readings of `\s*(?:0x)?(hex+)[\s-]?\s*(?:0x)?(hex+):?` that can lead
 * to a match, in the order a backtracking matcher tries them: both numbers
 * whole, then the first number split before its last digit (which is how
 * such a pattern reads "400000 r-xp ..."). */
static size_t hex_ranges(lg_str l, hex_range out[2])
{
    size_t p = lg_run(l, 0, lg_is_re_space), h1 = p;
    if (at(l, p) == '0' && at(l, p + 1) == 'x') {
        if (!lg_is_xdigit(at(l, p + 2)))
            return 0;
        h1 = p + 2;
    }
    size_t b = lg_run(l, h1, lg_is_xdigit);
    if (b == h1)
        return 0;
    size_t k = 0, a, e;
    size_t q = b;
    if (lg_is_re_space(at(l, q)) || at(l, q) == '-')
        q++;
    q = lg_run(l, q, lg_is_re_space);
    if (second_hex(l, q, &a, &e))
        out[k++] = (hex_range){sub(l, h1, b), sub(l, a, e), e + (at(l, e) == ':')};
    if (b - h1 >= 2 && second_hex(l, b - 1, &a, &e))
        out[k++] = (hex_range){sub(l, h1, b - 1), sub(l, a, e), e + (at(l, e) == ':')};
    return k;
}

/* `\s+` then a run of pred at t: the run's bounds, or false. */
static bool spaced_run(lg_str l, size_t t, bool (*pred)(int), size_t *a, size_t *e)
{
    size_t w = lg_run(l, t, lg_is_re_space);
    if (w == t)
        return false;
    size_t r = lg_run(l, w, pred);
    if (r == w)
        return false;
    *a = w;
    *e = r;
    return true;
}

/* procMapsRE's tail: [\s+perm][\s+offset]\s+hex:hex\s+digits[\s+file]. */
static bool proc_tail(lg_str l, size_t t, map_fields *f)
{
    for (int take_perm = 1; take_perm >= 0; take_perm--) {
        size_t t1 = t, a, e;
        lg_str perm = {"", 0};
        if (take_perm) {
            if (!spaced_run(l, t, is_perm, &a, &e))
                continue;
            perm = sub(l, a, e);
            t1 = e;
        }
        for (int take_off = 1; take_off >= 0; take_off--) {
            size_t t2 = t1;
            lg_str off = {"", 0};
            if (take_off) {
                if (!spaced_run(l, t1, lg_is_xdigit, &a, &e))
                    continue;
                off = sub(l, a, e);
                t2 = e;
            }
            size_t x;
            if (!spaced_run(l, t2, lg_is_xdigit, &a, &x) || at(l, x) != ':')
                continue;
            if (!lg_is_xdigit(at(l, x + 1)))
                continue;
            x = lg_run(l, x + 1, lg_is_xdigit);
            if (!spaced_run(l, x, lg_is_digit, &a, &e))
                continue;
            f->perm = perm;
            f->offset = off;
            f->file = (lg_str){"", 0};
            f->bid = (lg_str){"", 0};
            if (spaced_run(l, e, is_not_space, &a, &x))
                f->file = sub(l, a, x);
            return true;
        }
    }
    return false;
}

/* briefMapsRE's tail, all optional: [\s+perm][\s+file][\s+(@offset)][\s+buildid]. */
static void brief_tail(lg_str l, size_t t, map_fields *f)
{
    size_t a, e;
    f->perm = f->file = f->offset = f->bid = (lg_str){"", 0};
    if (spaced_run(l, t, is_perm, &a, &e)) {
        f->perm = sub(l, a, e);
        t = e;
    }
    if (spaced_run(l, t, is_not_space, &a, &e)) {
        f->file = sub(l, a, e);
        t = e;
    }
    size_t w = lg_run(l, t, lg_is_re_space);
    if (w > t && at(l, w) == '(' && at(l, w + 1) == '@') {
        size_t x = lg_run(l, w + 2, lg_is_xdigit);
        if (x > w + 2 && at(l, x) == ')') {
            f->offset = sub(l, w + 2, x);
            t = x + 1;
        }
    }
    if (spaced_run(l, t, lg_is_xdigit, &a, &e))
        f->bid = sub(l, a, e);
}

/* Matches a line as /proc/self/maps, else in the brief form. */
static bool match_mapping(lg_str l, map_fields *f)
{
    hex_range hr[2];
    size_t n = hex_ranges(l, hr);
    for (size_t i = 0; i < n; i++) {
        if (proc_tail(l, hr[i].next, f)) {
            f->start = hr[i].start;
            f->end = hr[i].end;
            return true;
        }
    }
    if (n == 0)
        return false;
    f->start = hr[0].start;
    f->end = hr[0].end;
    brief_tail(l, hr[0].next, f);
    return true;
}

/* Strips a glog prefix ("I0102 12:00:00.000 file.cc:12] "). */
static lg_str remove_logging_info(lg_str l)
{
    size_t j = 0;
    while (j < l.n && l.p[j] != '[' && l.p[j] != ']')
        j++;
    if (j >= l.n || l.p[j] != ']' || !lg_is_re_space(at(l, j + 1)))
        return l;
    size_t d = j;
    while (d > 0 && lg_is_digit((unsigned char)l.p[d - 1]))
        d--;
    if (d == j || d < 2 || l.p[d - 1] != ':')
        return l;
    return sub(l, j + 2, l.n);
}

/* attr=value definitions: "$attr" in later lines becomes value. The keys
 * live in a trie (edges hashed by node and byte) so each position costs
 * the length of the longest key prefix found there, as in Go's Replacer. */
typedef struct attr_edge {
    uint64_t key; /* parent node << 8 | byte, +1 so 0 means empty */
    uint32_t child;
} attr_edge;

typedef struct map_attrs {
    pprof_buf values;
    size_t *value_at; /* per attr: offset and length in values */
    size_t n, cap_value_at;
    uint32_t *prio; /* per trie node: the attr ending there, or LG_NONE */
    size_t n_nodes, cap_nodes;
    attr_edge *edges;
    size_t n_edges, n_slots;
    pprof_buf line;
    uint64_t budget;
} map_attrs;

/* Bound on substitution work: pathological keys ("$$$$...") against
 * pathological text would otherwise cost the product of their lengths. */
#define LG_ATTR_BUDGET (1ULL << 30)

static size_t edge_slot(const map_attrs *at_, uint64_t key)
{
    size_t mask = at_->n_slots - 1, i = slot_of(key, mask);
    while (at_->edges[i].key && at_->edges[i].key != key)
        i = (i + 1) & mask;
    return i;
}

static uint32_t attr_child(const map_attrs *at_, uint32_t node, unsigned char c)
{
    if (!at_->n_slots)
        return LG_NONE;
    size_t i = edge_slot(at_, (((uint64_t)node << 8) | c) + 1);
    return at_->edges[i].key ? at_->edges[i].child : LG_NONE;
}

static int attr_new_node(map_attrs *at_, uint32_t *out)
{
    if (at_->n_nodes >= UINT32_MAX - 1 || LG_GROW(at_->prio, at_->cap_nodes, at_->n_nodes + 1))
        return PPROF_ENOMEM;
    at_->prio[at_->n_nodes] = LG_NONE;
    *out = (uint32_t)at_->n_nodes++;
    return 0;
}

static int attr_add_edge(map_attrs *at_, uint32_t node, unsigned char c, uint32_t child)
{
    if ((at_->n_edges + 1) * 2 > at_->n_slots) {
        size_t n = at_->n_slots ? at_->n_slots * 2 : 64;
        attr_edge *t = n <= SIZE_MAX / (2 * sizeof *t) ? calloc(n, sizeof *t) : NULL;
        if (!t)
            return PPROF_ENOMEM;
        attr_edge *old = at_->edges;
        size_t old_n = at_->n_slots;
        at_->edges = t;
        at_->n_slots = n;
        for (size_t i = 0; i < old_n; i++)
            if (old[i].key)
                at_->edges[edge_slot(at_, old[i].key)] = old[i];
        free(old);
    }
    uint64_t key = (((uint64_t)node << 8) | c) + 1;
    at_->edges[edge_slot(at_, key)] = (attr_edge){key, child};
    at_->n_edges++;
    return 0;
}

/* Adds "$key" -> val; an earlier definition of the same key wins. */
static int attrs_add(map_attrs *at_, lg_str key, lg_str val)
{
    uint32_t node = 0;
    if (!at_->n_nodes && attr_new_node(at_, &node))
        return PPROF_ENOMEM;
    for (size_t i = 0; i <= key.n; i++) {
        unsigned char c = i == 0 ? '$' : (unsigned char)key.p[i - 1];
        uint32_t child = attr_child(at_, node, c);
        if (child == LG_NONE && (attr_new_node(at_, &child) || attr_add_edge(at_, node, c, child)))
            return PPROF_ENOMEM;
        node = child;
    }
    if (at_->prio[node] == LG_NONE) {
        if (at_->n >= UINT32_MAX - 1 || LG_GROW(at_->value_at, at_->cap_value_at, (at_->n + 1) * 2))
            return PPROF_ENOMEM;
        at_->value_at[at_->n * 2] = at_->values.len;
        at_->value_at[at_->n * 2 + 1] = val.n;
        if (pprof_buf_append(&at_->values, val.p, val.n))
            return PPROF_ENOMEM;
        at_->prio[node] = (uint32_t)at_->n++;
    }
    return 0;
}

/* strings.Replacer semantics: at each position the earliest-defined key
 * that matches is replaced; scanning resumes after it. */
static int attrs_replace(map_attrs *at_, lg_str l, lg_str *out, pprof_error *err)
{
    at_->line.len = 0;
    size_t last = 0;
    for (size_t i = 0; i < l.n;) {
        uint32_t best = LG_NONE, node = 0;
        size_t best_len = 0;
        for (size_t j = i; j < l.n; j++) {
            node = attr_child(at_, node, (unsigned char)l.p[j]);
            if (node == LG_NONE)
                break;
            at_->budget++;
            if (at_->prio[node] < best) {
                best = at_->prio[node];
                best_len = j + 1 - i;
            }
        }
        if (at_->budget > LG_ATTR_BUDGET)
            return pprof_error_set(err, PPROF_ELIMIT,
                                   "legacy profile: memory map attribute substitution too costly");
        if (best == LG_NONE) {
            i++;
            continue;
        }
        if (pprof_buf_append(&at_->line, l.p + last, i - last) ||
            pprof_buf_append(&at_->line, at_->values.data + at_->value_at[best * 2],
                             at_->value_at[best * 2 + 1]))
            return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
        i += best_len;
        last = i;
    }
    if (last == 0) {
        *out = l;
        return 0;
    }
    if (pprof_buf_append(&at_->line, l.p + last, l.n - last))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    *out = (lg_str){(const char *)at_->line.data, at_->line.len};
    return 0;
}

static int pool_add(lg_profile *lp, lg_str s, size_t *off)
{
    *off = lp->pool.len;
    return pprof_buf_append(&lp->pool, s.p, s.n);
}

/* Parses one line; adds a mapping, skips it, or reports it unrecognized. */
static int map_line(lg_profile *lp, lg_str line, bool *recognized)
{
    map_fields f;
    *recognized = false;
    if (!match_mapping(line, &f))
        return 0;
    lg_mapping m = {0};
    if (!lg_parse_uint(f.start, 16, &m.start) || !lg_parse_uint(f.end, 16, &m.limit))
        return 0;
    if (f.offset.n && !lg_parse_uint(f.offset, 16, &m.offset))
        return 0;
    *recognized = true;
    if (f.perm.n && !memchr(f.perm.p, 'x', f.perm.n))
        return 0; /* not executable */
    if (LG_GROW(lp->maps, lp->cap_maps, lp->n_maps + 1) || pool_add(lp, f.file, &m.file_off) ||
        pool_add(lp, f.bid, &m.bid_off))
        return PPROF_ENOMEM;
    m.file_len = f.file.n;
    m.bid_len = f.bid.n;
    lp->maps[lp->n_maps++] = m;
    return 0;
}

static int parse_maps(lg_profile *lp, lg_scanner *s, pprof_error *err)
{
    map_attrs attrs = {0};
    int rc = 0;
    while (rc == 0 && lg_scan(s)) {
        lg_str line = remove_logging_info(s->text);
        if (attrs.n && (rc = attrs_replace(&attrs, line, &line, err)) != 0)
            break;
        bool ok;
        if ((rc = map_line(lp, line, &ok)) != 0) {
            rc = pprof_error_set(err, rc, "out of memory");
            break;
        }
        if (ok)
            continue;
        const char *eq = memchr(line.p, '=', line.n);
        if (!eq)
            continue;
        size_t k = (size_t)(eq - line.p);
        if (attrs_add(&attrs, lg_trim(sub(line, 0, k)), lg_trim(sub(line, k + 1, line.n))))
            rc = pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    }
    if (rc == 0 && s->too_long)
        rc = lg_scan_error(s, err);
    pprof_buf_release(&attrs.values);
    pprof_buf_release(&attrs.line);
    free(attrs.value_at);
    free(attrs.prio);
    free(attrs.edges);
    return rc;
}

static lg_str map_file(const lg_profile *lp, const lg_mapping *m)
{
    return (lg_str){m->file_len ? (const char *)lp->pool.data + m->file_off : "", m->file_len};
}

static lg_str map_bid(const lg_profile *lp, const lg_mapping *m)
{
    return (lg_str){m->bid_len ? (const char *)lp->pool.data + m->bid_off : "", m->bid_len};
}

static bool str_eq(lg_str a, lg_str b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* Two entries that are one mapping split in two. */
static bool adjacent(const lg_profile *lp, const lg_mapping *a, const lg_mapping *b)
{
    lg_str fa = map_file(lp, a), fb = map_file(lp, b);
    if (fa.n && fb.n && !str_eq(fa, fb))
        return false;
    lg_str ba = map_bid(lp, a), bb = map_bid(lp, b);
    if (ba.n && bb.n && !str_eq(ba, bb))
        return false;
    if (a->limit != b->start)
        return false;
    if (a->offset && b->offset && a->offset + (a->limit - a->start) != b->offset)
        return false;
    return true;
}

/* Shared-library names: ".so" at the end or ".so" [._] digit. */
static bool is_lib_name(lg_str f)
{
    for (size_t i = 0; i + 3 <= f.n; i++) {
        if (memcmp(f.p + i, ".so", 3) != 0)
            continue;
        if (i + 3 == f.n)
            return true;
        if ((f.p[i + 3] == '.' || f.p[i + 3] == '_') && i + 4 < f.n &&
            lg_is_digit((unsigned char)f.p[i + 4]))
            return true;
    }
    return false;
}

/* Whether m looks like the main binary: named, not a library, not [vdso]. */
static int is_main_binary(const lg_profile *lp, const lg_mapping *m, bool *out)
{
    lg_str f = map_file(lp, m);
    pprof_buf b = {0};
    for (size_t i = 0; i < f.n;) {
        if (f.n - i >= 9 && memcmp(f.p + i, "(deleted)", 9) == 0) {
            i += 9;
            continue;
        }
        if (pprof_buf_append(&b, f.p + i, 1)) {
            pprof_buf_release(&b);
            return PPROF_ENOMEM;
        }
        i++;
    }
    lg_str t = lg_trim((lg_str){b.len ? (const char *)b.data : "", b.len});
    *out = t.n > 0 && !is_lib_name(t) && t.p[0] != '[';
    pprof_buf_release(&b);
    return 0;
}

/* Merges split mappings and moves the main binary first. */
static int massage_mappings(lg_profile *lp)
{
    if (lp->n_maps > 1) {
        size_t k = 1;
        for (size_t i = 1; i < lp->n_maps; i++) {
            lg_mapping *last = &lp->maps[k - 1], *m = &lp->maps[i];
            if (adjacent(lp, last, m)) {
                last->limit = m->limit;
                if (m->file_len) {
                    last->file_off = m->file_off;
                    last->file_len = m->file_len;
                }
                if (m->bid_len) {
                    last->bid_off = m->bid_off;
                    last->bid_len = m->bid_len;
                }
                continue;
            }
            lp->maps[k++] = *m;
        }
        lp->n_maps = k;
    }
    for (size_t i = 0; i < lp->n_maps; i++) {
        bool main_bin;
        if (is_main_binary(lp, &lp->maps[i], &main_bin))
            return PPROF_ENOMEM;
        if (main_bin) {
            lg_mapping t = lp->maps[0];
            lp->maps[0] = lp->maps[i];
            lp->maps[i] = t;
            break;
        }
    }
    return 0;
}

int lg_remap_locations(lg_profile *lp)
{
    free(lp->order);
    lp->order = NULL;
    lp->n_order = 0;
    lp->remapped = true;
    if (!lp->n_locs)
        return 0;
    uint32_t *order = malloc(lp->n_locs * sizeof *order);
    uint8_t *seen = calloc(lp->n_locs, 1);
    if (!order || !seen) {
        free(order);
        free(seen);
        return PPROF_ENOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < lp->n_samples; i++) {
        const uint32_t *f = lp->frames + lp->samples[i].off;
        for (uint32_t j = 0; j < lp->samples[i].n; j++) {
            if (!seen[f[j]]) {
                seen[f[j]] = 1;
                order[k++] = f[j];
            }
        }
    }
    free(seen);
    lp->order = order;
    lp->n_order = k;
    return 0;
}

/* Assigns each location the first mapping holding its address; failing
 * that, the first mapping whose offset says it was split and whose missing
 * first part [start-offset, start) holds it (that mapping then starts
 * there). The plain way: scan the mappings for each location. */
static void assign_linear(lg_profile *lp, lg_loc *l, uint64_t a)
{
    for (size_t i = 0; i < lp->n_maps && l->mapping == LG_NONE; i++)
        if (lp->maps[i].start <= a && a < lp->maps[i].limit)
            l->mapping = (uint32_t)i;
    for (size_t i = 0; i < lp->n_maps && l->mapping == LG_NONE; i++) {
        lg_mapping *m = &lp->maps[i];
        if (m->offset != 0 && m->start - m->offset <= a && a < m->start) {
            m->start -= m->offset;
            m->offset = 0;
            l->mapping = (uint32_t)i;
        }
    }
}

/* The same answers for many locations and mappings, in O(log) per query:
 * segment trees over the sorted interval ends. min[] holds the smallest
 * index of an interval covering a node (mappings' ranges, plus the missing
 * parts of split mappings already extended); lists hold, per node, the
 * split mappings whose missing part covers it, in index order, read past
 * the ones already extended. */
typedef struct stab {
    uint64_t *coords;
    size_t n_coords, size;
    uint32_t *min;
    uint32_t *list_off, *list_pos, *list;
    uint8_t *extended;
} stab;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Leaf of coordinate v (which is one of the coordinates). */
static size_t stab_coord(const stab *t, uint64_t v)
{
    size_t lo = 0, hi = t->n_coords;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->coords[mid] <= v)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Runs visit for each node covering [lo, hi) (none when it is empty). */
#define STAB_RANGE(t, lo, hi, node, visit)                                         \
    do {                                                                           \
        if ((lo) < (hi)) {                                                         \
            size_t l_ = stab_coord(t, lo) + (t)->size, r_ = stab_coord(t, hi) + (t)->size; \
            for (; l_ < r_; l_ >>= 1, r_ >>= 1) {                                  \
                if (l_ & 1) {                                                      \
                    size_t node = l_++;                                            \
                    visit;                                                         \
                }                                                                  \
                if (r_ & 1) {                                                      \
                    size_t node = --r_;                                            \
                    visit;                                                         \
                }                                                                  \
            }                                                                      \
        }                                                                          \
    } while (0)

static void stab_free(stab *t)
{
    free(t->coords);
    free(t->min);
    free(t->list_off);
    free(t->list_pos);
    free(t->list);
    free(t->extended);
}

static int stab_build(stab *t, const lg_profile *lp)
{
    size_t nm = lp->n_maps, k = 0;
    memset(t, 0, sizeof *t);
    if (nm > SIZE_MAX / 32 || !(t->coords = malloc(3 * nm * sizeof *t->coords)))
        return PPROF_ENOMEM;
    for (size_t i = 0; i < nm; i++) {
        const lg_mapping *m = &lp->maps[i];
        t->coords[k++] = m->start;
        t->coords[k++] = m->limit;
        if (m->offset)
            t->coords[k++] = m->start - m->offset;
    }
    qsort(t->coords, k, sizeof *t->coords, cmp_u64);
    size_t n = 0;
    for (size_t i = 0; i < k; i++)
        if (n == 0 || t->coords[i] != t->coords[n - 1])
            t->coords[n++] = t->coords[i];
    t->n_coords = n;
    t->size = 1;
    while (t->size < n)
        t->size *= 2;
    size_t nodes = 2 * t->size;
    t->min = malloc(nodes * sizeof *t->min);
    t->list_off = calloc(nodes + 1, sizeof *t->list_off);
    t->list_pos = malloc(nodes * sizeof *t->list_pos);
    t->extended = calloc(nm ? nm : 1, 1);
    if (!t->min || !t->list_off || !t->list_pos || !t->extended)
        return PPROF_ENOMEM;
    for (size_t i = 0; i < nodes; i++)
        t->min[i] = LG_NONE;
    size_t total = 0;
    for (size_t i = 0; i < nm; i++) {
        const lg_mapping *m = &lp->maps[i];
        STAB_RANGE(t, m->start, m->limit, node, {
            if (t->min[node] == LG_NONE)
                t->min[node] = (uint32_t)i;
        });
        if (m->offset)
            STAB_RANGE(t, m->start - m->offset, m->start, node, {
                t->list_off[node + 1]++;
                total++;
            });
    }
    if (total > UINT32_MAX || !(t->list = malloc((total ? total : 1) * sizeof *t->list)))
        return PPROF_ENOMEM;
    for (size_t i = 0; i < nodes; i++)
        t->list_off[i + 1] += t->list_off[i];
    memcpy(t->list_pos, t->list_off, nodes * sizeof *t->list_pos);
    for (size_t i = 0; i < nm; i++) {
        const lg_mapping *m = &lp->maps[i];
        if (m->offset)
            STAB_RANGE(t, m->start - m->offset, m->start, node, {
                t->list[t->list_pos[node]++] = (uint32_t)i;
            });
    }
    memcpy(t->list_pos, t->list_off, nodes * sizeof *t->list_pos);
    return 0;
}

/* fake: the catch-all mapping [0, 2^64-1) once added (it comes last). */
static void assign_stab(stab *t, lg_profile *lp, lg_loc *l, uint64_t a, uint32_t fake)
{
    if (t->n_coords == 0 || a < t->coords[0]) {
        if (fake != LG_NONE && a != UINT64_MAX)
            l->mapping = fake;
        return;
    }
    size_t leaf = stab_coord(t, a) + t->size;
    uint32_t best = LG_NONE;
    for (size_t node = leaf; node; node >>= 1)
        if (t->min[node] < best)
            best = t->min[node];
    if (best == LG_NONE && fake != LG_NONE && a != UINT64_MAX)
        best = fake;
    if (best != LG_NONE) {
        l->mapping = best;
        return;
    }
    for (size_t node = leaf; node; node >>= 1) {
        uint32_t *pos = &t->list_pos[node];
        while (*pos < t->list_off[node + 1] && t->extended[t->list[*pos]])
            (*pos)++;
        if (*pos < t->list_off[node + 1] && t->list[*pos] < best)
            best = t->list[*pos];
    }
    if (best == LG_NONE)
        return;
    lg_mapping *m = &lp->maps[best];
    uint64_t from = m->start - m->offset, to = m->start < m->limit ? m->start : m->limit;
    t->extended[best] = 1;
    m->start = from;
    m->offset = 0;
    STAB_RANGE(t, from, to, node, {
        if (t->min[node] > best)
            t->min[node] = best;
    });
    l->mapping = best;
}

/* Above this many location-mapping pairs, assign with the trees. */
#ifndef LG_LINEAR_ASSIGN_MAX
#define LG_LINEAR_ASSIGN_MAX 65536
#endif

int lg_remap_mappings(lg_profile *lp)
{
    if (lp->n_maps > 1) {
        lg_str f = map_file(lp, &lp->maps[0]);
        if (lg_has_prefix(f, "/anon_hugepage") && lp->maps[0].limit == lp->maps[1].start) {
            memmove(lp->maps, lp->maps + 1, (lp->n_maps - 1) * sizeof *lp->maps);
            lp->n_maps--;
        }
    }
    if (lp->n_maps > 0) {
        lg_mapping *m = &lp->maps[0];
        if (m->start - m->offset == 0x400000) {
            m->start = 0x400000;
            m->offset = 0;
        }
    }
    size_t n = lp->remapped ? lp->n_order : lp->n_locs;
    stab t;
    bool use_tree = lp->n_maps && n > LG_LINEAR_ASSIGN_MAX / lp->n_maps;
    if (use_tree && stab_build(&t, lp)) {
        stab_free(&t);
        return PPROF_ENOMEM;
    }
    uint32_t fake = LG_NONE;
    int rc = 0;
    for (size_t k = 0; k < n; k++) {
        lg_loc *l = &lp->locs[lp->remapped ? lp->order[k] : k];
        uint64_t a = l->symbolized ? 0 : l->addr;
        if (l->mapping != LG_NONE || a == 0)
            continue;
        if (use_tree)
            assign_stab(&t, lp, l, a, fake);
        else
            assign_linear(lp, l, a);
        if (l->mapping != LG_NONE)
            continue;
        if (fake == LG_NONE) {
            if (LG_GROW(lp->maps, lp->cap_maps, lp->n_maps + 1)) {
                rc = PPROF_ENOMEM;
                break;
            }
            fake = (uint32_t)lp->n_maps;
            lp->maps[lp->n_maps++] = (lg_mapping){.limit = UINT64_MAX};
        }
        l->mapping = fake;
    }
    if (use_tree)
        stab_free(&t);
    return rc;
}

int lg_memory_map(lg_profile *lp, lg_scanner *s, pprof_error *err)
{
    int rc = parse_maps(lp, s, err);
    if (rc)
        return rc;
    if (massage_mappings(lp))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    if (lg_remap_locations(lp) || lg_remap_mappings(lp))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return 0;
}

int lg_additional_sections(lg_profile *lp, lg_scanner *s, pprof_error *err)
{
    while (!lg_is_map_sentinel(s->text) && lg_scan(s)) {
    }
    if (s->too_long)
        return lg_scan_error(s, err);
    return lg_memory_map(lp, s, err);
}

/* ================================================================ result */

static const char *const alloc_rx =
    "calloc|cfree|malloc|free|memalign|do_memalign|(__)?posix_memalign|pvalloc|valloc|realloc|"
    "tcmalloc::.*|tc_calloc|tc_cfree|tc_malloc|tc_free|tc_memalign|tc_posix_memalign|"
    "tc_pvalloc|tc_valloc|tc_realloc|tc_new|tc_delete|tc_newarray|tc_deletearray|"
    "tc_new_nothrow|tc_newarray_nothrow|malloc_zone_malloc|malloc_zone_calloc|"
    "malloc_zone_valloc|malloc_zone_realloc|malloc_zone_memalign|malloc_zone_free|"
    "runtime\\..*|BaseArena::.*|(::)?do_malloc_no_errno|(::)?do_malloc_pages|(::)?do_malloc|"
    "DoSampledAllocation|MallocedMemBlock::MallocedMemBlock|_M_allocate|"
    "__builtin_(vec_)?delete|__builtin_(vec_)?new|__gnu_cxx::new_allocator::allocate|"
    "__libc_malloc|__malloc_alloc_template::allocate|allocate|cpp_alloc|operator new(\\[\\])?|"
    "simple_alloc::allocate";
static const char *const alloc_skip_rx = "runtime\\.panic|runtime\\.reflectcall|runtime\\.call[0-9]*";
static const char *const lock_rx =
    "RecordLockProfileData|(base::)?RecordLockProfileData.*|(base::)?SubmitMutexProfileData.*|"
    "(base::)?SubmitSpinLockProfileData.*|(base::Mutex::)?AwaitCommon.*|(base::Mutex::)?Unlock.*|"
    "(base::Mutex::)?UnlockSlow.*|(base::Mutex::)?ReaderUnlock.*|(base::MutexLock::)?~MutexLock.*|"
    "(Mutex::)?AwaitCommon.*|(Mutex::)?Unlock.*|(Mutex::)?UnlockSlow.*|(Mutex::)?ReaderUnlock.*|"
    "(MutexLock::)?~MutexLock.*|(SpinLock::)?Unlock.*|(SpinLock::)?SlowUnlock.*|"
    "(SpinLockHolder::)?~SpinLockHolder.*";
static const char *const profiler_rx =
    "ProfileData::Add|ProfileData::prof_handler|CpuProfiler::prof_handler|__pthread_sighandler|__restore";

/* Sample-type lists that mark heap and contention profiles; NULL ends a list. */
static const char *const frame_kinds[][5] = {
    {"allocations", "size", NULL},
    {"objects", "space", NULL},
    {"inuse_objects", "inuse_space", NULL},
    {"alloc_objects", "alloc_space", NULL},
    {"alloc_objects", "alloc_space", "inuse_objects", "inuse_space"},
    {"contentions", "delay", NULL},
};
#define FRAME_KIND_CONTENTION 5

static void frame_regexps(const lg_profile *lp, const char **drop, const char **keep)
{
    *drop = profiler_rx;
    *keep = "";
    for (size_t k = 0; k < sizeof frame_kinds / sizeof frame_kinds[0]; k++) {
        size_t n = 0;
        while (n < 4 && frame_kinds[k][n])
            n++;
        if (n != lp->n_types)
            continue;
        size_t i = 0;
        while (i < n && lg_eq(lp->types[i][0], frame_kinds[k][i]))
            i++;
        if (i < n)
            continue;
        if (k == FRAME_KIND_CONTENTION) {
            *drop = lock_rx;
        } else {
            *drop = alloc_rx;
            *keep = alloc_skip_rx;
        }
        return;
    }
}

static int intern(pprof_profile *p, lg_str s, pprof_str *out)
{
    return pprof_profile_intern(out, p, s.p, s.n);
}

static int build(pprof_profile *p, lg_profile *lp, pprof_error *err)
{
    int rc = 0;
    pprof_str bytes_key = 0;
    uint32_t *loc_new = NULL, *fn_new = NULL, *stack = NULL;

    for (size_t i = 0; i < lp->n_types; i++) {
        pprof_value_type vt;
        if ((rc = intern(p, lp->types[i][0], &vt.type)) || (rc = intern(p, lp->types[i][1], &vt.unit)) ||
            (rc = pprof_profile_add_sample_type(p, vt)))
            goto done;
    }
    if ((rc = intern(p, lp->period_type[0], &p->period_type.type)) ||
        (rc = intern(p, lp->period_type[1], &p->period_type.unit)))
        goto done;
    p->period = lp->period;
    p->duration_nanos = lp->duration_nanos;

    for (size_t i = 0; i < lp->n_maps; i++) {
        const lg_mapping *m = &lp->maps[i];
        pprof_mapping pm = {.id = i + 1, .start = m->start, .limit = m->limit, .offset = m->offset};
        if ((rc = intern(p, map_file(lp, m), &pm.file)) || (rc = intern(p, map_bid(lp, m), &pm.build_id)) ||
            (rc = pprof_profile_add_mapping(NULL, p, &pm)))
            goto done;
    }

    if (lp->n_funcs) {
        fn_new = malloc(lp->n_funcs * sizeof *fn_new);
        if (!fn_new) {
            rc = PPROF_ENOMEM;
            goto done;
        }
        for (size_t i = 0; i < lp->n_funcs; i++)
            fn_new[i] = LG_NONE;
        for (size_t k = 0; k < lp->n_func_order; k++) {
            const lg_func *f = &lp->funcs[lp->func_order[k]];
            pprof_function pf = {.id = k + 1};
            if ((rc = intern(p, f->name, &pf.name)) || (rc = intern(p, f->file, &pf.filename)))
                goto done;
            pf.system_name = pf.name;
            if ((rc = pprof_profile_add_function(&fn_new[lp->func_order[k]], p, &pf)))
                goto done;
        }
    }

    if (lp->n_locs) {
        loc_new = malloc(lp->n_locs * sizeof *loc_new);
        if (!loc_new) {
            rc = PPROF_ENOMEM;
            goto done;
        }
        for (size_t i = 0; i < lp->n_locs; i++)
            loc_new[i] = LG_NONE;
    }
    size_t n_order = lp->remapped ? lp->n_order : lp->n_locs;
    for (size_t k = 0; k < n_order; k++) {
        uint32_t old = lp->remapped ? lp->order[k] : (uint32_t)k;
        const lg_loc *l = &lp->locs[old];
        pprof_location pl = {.id = k + 1,
                             .address = lp->zero_addresses ? 0 : l->addr,
                             .mapping = l->mapping == LG_NONE ? PPROF_NONE : l->mapping};
        pprof_line line = {.function = 0, .line = l->line};
        size_t n_lines = 0;
        if (l->func != LG_NONE && fn_new && fn_new[l->func] != LG_NONE) {
            line.function = fn_new[l->func];
            n_lines = 1;
        }
        if ((rc = pprof_profile_add_location(&loc_new[old], p, &pl, &line, n_lines)))
            goto done;
    }

    if (lp->n_samples) {
        size_t max = 0;
        for (size_t i = 0; i < lp->n_samples; i++)
            if (lp->samples[i].n > max)
                max = lp->samples[i].n;
        stack = malloc((max ? max : 1) * sizeof *stack);
        if (!stack) {
            rc = PPROF_ENOMEM;
            goto done;
        }
        if ((rc = pprof_profile_intern(&bytes_key, p, "bytes", 5)))
            goto done;
    }
    for (size_t i = 0; i < lp->n_samples; i++) {
        const lg_sample *s = &lp->samples[i];
        const uint32_t *f = lp->frames + s->off;
        for (uint32_t j = 0; j < s->n; j++) {
            stack[j] = loc_new[f[j]];
            if (stack[j] == LG_NONE) {
                rc = pprof_error_set(err, PPROF_EFORMAT, "sample has nil location");
                goto done;
            }
        }
        pprof_label lab = {.key = bytes_key, .num = s->bytes};
        if ((rc = pprof_profile_add_sample(p, stack, s->n, lp->values + i * 4, &lab, s->has_bytes ? 1 : 0)))
            goto done;
    }

    const char *drop, *keep;
    frame_regexps(lp, &drop, &keep);
    if ((rc = pprof_profile_intern(&p->drop_frames, p, drop, strlen(drop))) ||
        (rc = pprof_profile_intern(&p->keep_frames, p, keep, strlen(keep))))
        goto done;

done:
    free(loc_new);
    free(fn_new);
    free(stack);
    if (rc && err && err->code != rc)
        pprof_error_set(err, rc, "legacy profile: %s", pprof_strerror(rc));
    return rc;
}

int lg_finish(pprof_profile **out, lg_profile *lp, pprof_error *err)
{
    *out = NULL;
    if (lp->n_types == 0 && lp->n_samples > 0)
        return pprof_error_set(err, PPROF_EFORMAT, "malformed profile: missing sample type information");
    pprof_profile *p = pprof_profile_new();
    if (!p)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    if (err)
        err->code = 0;
    int rc = build(p, lp, err);
    if (rc) {
        pprof_profile_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

/* ================================================================ entry */

/* In the order pprof tries them. */
static const struct {
    const char *name;
    int (*parse)(lg_profile *lp, const char *data, size_t len, pprof_error *err);
} parsers[] = {
    {"gperftools CPU", lg_parse_cpu},
    {"heap", lg_parse_heap},
    {"Go count", lg_parse_go_count},
    {"threadz", lg_parse_thread},
    {"contention", lg_parse_contention},
    {"Java", lg_parse_java},
};

int pprof_read_legacy(pprof_profile **out, const uint8_t *data, size_t len, pprof_error *err)
{
    *out = NULL;
    if (!data && len)
        return pprof_error_set(err, PPROF_EINVAL, "legacy profile: no data");
    const char *text = data ? (const char *)data : "";
    for (size_t i = 0; i < sizeof parsers / sizeof parsers[0]; i++) {
        lg_profile lp;
        lg_profile_init(&lp);
        if (err)
            err->code = 0;
        int rc = parsers[i].parse(&lp, text, len, err);
        if (rc == 0)
            rc = lg_finish(out, &lp, err);
        lg_profile_release(&lp);
        if (rc == PPROF_EUNRECOGNIZED)
            continue;
        if (rc && err && err->code != rc)
            pprof_error_set(err, rc, "legacy %s profile: %s", parsers[i].name, pprof_strerror(rc));
        return rc;
    }
    return pprof_error_set(err, PPROF_EUNRECOGNIZED, "unrecognized profile format");
}
