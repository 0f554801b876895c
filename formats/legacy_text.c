/* legacy_text.c: legacy text profiles: heap/growth, Go count, threadz, contention, Java heap/contention. */
#include "legacy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_space_char(int c)
{
    return c == ' ';
}

/* What an address list (" @ 0x1 0x2 ...") is made of. */
static bool is_addr_list_char(int c)
{
    return c == ' ' || c == 'x' || lg_is_digit(c) || (c >= 'a' && c <= 'f');
}

static lg_str sub(lg_str l, size_t a, size_t b)
{
    return (lg_str){l.p + a, b - a};
}

static int at(lg_str l, size_t i)
{
    return i < l.n ? (unsigned char)l.p[i] : -1;
}

/* A run of at least one digit at *i; advances past it. */
static bool digits(lg_str l, size_t *i, lg_str *out)
{
    size_t e = lg_run(l, *i, lg_is_digit);
    if (e == *i)
        return false;
    if (out)
        *out = sub(l, *i, e);
    *i = e;
    return true;
}

static bool literal(lg_str l, size_t *i, const char *lit)
{
    size_t n = strlen(lit);
    if (*i > l.n || l.n - *i < n || memcmp(l.p + *i, lit, n) != 0)
        return false;
    *i += n;
    return true;
}

static size_t spaces(lg_str l, size_t i)
{
    return lg_run(l, i, is_space_char);
}

static int oom(pprof_error *err)
{
    return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
}

/* Reports a failure of the builder (out of memory or a table limit). */
static int build_error(pprof_error *err, int rc)
{
    return pprof_error_set(err, rc, "legacy profile: %s", pprof_strerror(rc));
}

static bool same_text(lg_str a, lg_str b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* Sets the period type to the sample type at index i. */
static void period_type_from(lg_profile *lp, size_t i)
{
    lp->period_type[0] = lp->types[i][0];
    lp->period_type[1] = lp->types[i][1];
}

/* Reports a malformed line (line_no 0: unknown), quoting the start of it
 * with non-printable bytes escaped. */
static int malformed(pprof_error *err, const char *what, size_t line_no, lg_str line)
{
    char q[256];
    size_t k = 0;
    for (size_t i = 0; i < line.n && k + 8 < sizeof q; i++) {
        unsigned char c = (unsigned char)line.p[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            q[k++] = (char)c;
        else
            k += (size_t)snprintf(q + k, sizeof q - k, "\\x%02x", c);
        if (k + 8 >= sizeof q && i + 1 < line.n) {
            memcpy(q + k, "...", 3);
            k += 3;
        }
    }
    q[k] = 0;
    if (line_no)
        return pprof_error_set(err, PPROF_EFORMAT, "legacy profile: line %zu: malformed %s: %s", line_no,
                               what, q);
    return pprof_error_set(err, PPROF_EFORMAT, "legacy profile: malformed %s: %s", what, q);
}

/* ================================================================ heap */

/* Matches pat at *i: ' ' skips any spaces, '_' is one space, 'N' reads
 * digits into the next of g, any other character is itself. */
static bool pattern(lg_str l, size_t *i, const char *pat, lg_str *g)
{
    for (; *pat; pat++) {
        char lit[2] = {*pat == '_' ? ' ' : *pat, 0};
        if (*pat == ' ')
            *i = spaces(l, *i);
        else if (*pat == 'N' ? !digits(l, i, g++) : !literal(l, i, lit))
            return false;
    }
    return true;
}

/* "heap profile: N: N [ N: N ]" after a "heap profile:" at i: the four
 * counts and the position after ']'. */
static bool heap_counts(lg_str l, size_t i, lg_str g[4], size_t *end)
{
    if (!pattern(l, &i, " N: N [ N: N ]", g))
        return false;
    *end = i;
    return true;
}

static bool is_heap_name_char(int c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || lg_is_digit(c);
}

/* The heap header: counts, the variant word after '@' and the rate. */
typedef struct heap_header {
    lg_str g[4], variant, rate;
} heap_header;

static bool match_heap_header(lg_str l, heap_header *h)
{
    for (size_t i = lg_find(l, 0, "heap profile:"); i != SIZE_MAX; i = lg_find(l, i + 1, "heap profile:")) {
        size_t e;
        if (!heap_counts(l, i + 13, h->g, &e))
            continue;
        e = spaces(l, e);
        if (!literal(l, &e, "@"))
            continue;
        e = spaces(l, e);
        size_t v = e;
        if (!literal(l, &e, "heap"))
            continue;
        e = lg_run(l, e, is_heap_name_char);
        h->variant = sub(l, v, e);
        if (at(l, e) == '/')
            e++;
        h->rate = sub(l, e, lg_run(l, e, lg_is_digit));
        return true;
    }
    return false;
}

/* "heap profile: ... ] @ <word>" (growthz, fragmentationz headers). */
static bool match_heap_word_header(lg_str l, const char *word)
{
    for (size_t i = lg_find(l, 0, "heap profile:"); i != SIZE_MAX; i = lg_find(l, i + 1, "heap profile:")) {
        lg_str g[4];
        size_t e;
        if (heap_counts(l, i + 13, g, &e) && literal(l, &e, " @ ") && literal(l, &e, word))
            return true;
    }
    return false;
}

enum { HEAP_PERIOD_RATE, HEAP_PERIOD_ONE, HEAP_PERIOD_HALF_RATE };

/* Header variants: whether values are sampled (v2 unsampling) and how the
 * period follows from the rate after '/'. */
static const struct {
    const char *name;
    bool v2;
    int period;
} heap_variants[] = {
    {"heapz_v2", true, HEAP_PERIOD_RATE},
    {"heap_v2", true, HEAP_PERIOD_RATE},
    {"heapprofile", false, HEAP_PERIOD_ONE},
    {"heap", true, HEAP_PERIOD_HALF_RATE},
};

static const char *const heap_alloc_types[] = {"alloc_objects", "count", "alloc_space", "bytes",
                                               "inuse_objects", "count", "inuse_space", "bytes"};
static const char *const heap_types[] = {"objects", "count", "space", "bytes"};

/* A heap sample row: inuse count, size, alloc count, size, addresses. */
static bool match_heap_sample(lg_str l, lg_str g[5])
{
    for (size_t c = 0; c < l.n; c++) {
        if (l.p[c] != ':' || c == 0 || !lg_is_digit((unsigned char)l.p[c - 1]))
            continue;
        size_t s = c;
        while (s > 0 && lg_is_digit((unsigned char)l.p[s - 1]))
            s--;
        if (s > 0 && l.p[s - 1] == '-')
            s--;
        g[0] = sub(l, s, c);
        size_t i = spaces(l, c + 1), a = i;
        if (at(l, i) == '-')
            i++;
        if (!digits(l, &i, NULL))
            continue;
        g[1] = sub(l, a, i);
        if (!pattern(l, &i, " [ N: N ]_@", g + 2))
            continue;
        g[4] = sub(l, i, lg_run(l, i, is_addr_list_char));
        return true;
    }
    return false;
}

static int64_t div_go(int64_t a, int64_t b)
{
    return (a == INT64_MIN && b == -1) ? INT64_MIN : a / b;
}

/* Appends count and size (unsampled for v2); records the block size. */
static int heap_values(lg_str count_s, lg_str size_s, const char *label, size_t line_no, lg_str line,
                       int64_t rate, bool v2, int64_t *vals, size_t *nv, int64_t *blocksize, pprof_error *err)
{
    int64_t count, size;
    if (!lg_parse_int(count_s, 10, &count) || !lg_parse_int(size_s, 10, &size))
        return malformed(err, "heap sample", line_no, line);
    if (count == 0 && size != 0)
        return pprof_error_set(err, PPROF_EFORMAT,
                               "legacy heap profile: line %zu: %s count was 0 but %s bytes was %lld", line_no,
                               label, label, (long long)size);
    if (count != 0) {
        *blocksize = div_go(size, count);
        if (v2)
            lg_scale_heap(&count, &size, rate);
    }
    vals[(*nv)++] = count;
    vals[(*nv)++] = size;
    return 0;
}

int lg_parse_heap(lg_profile *lp, const char *data, size_t len, pprof_error *err)
{
    lg_scanner s;
    lg_scanner_init(&s, data, len);
    if (!lg_scan(&s))
        return s.too_long ? lg_scan_error(&s, err) : PPROF_EUNRECOGNIZED;
    lg_str line = s.text;
    heap_header h;
    bool v2 = false, has_alloc = false;
    if (match_heap_header(line, &h)) {
        int64_t rate = 0;
        if (h.rate.n && !lg_parse_int(h.rate, 10, &rate))
            return PPROF_EUNRECOGNIZED;
        /* alloc columns that differ from inuse (as text) and are not 0 */
        has_alloc = (!lg_eq(h.g[2], "0") && !same_text(h.g[2], h.g[0])) ||
                    (!lg_eq(h.g[3], "0") && !same_text(h.g[3], h.g[1]));
        size_t k = 0, nk = sizeof heap_variants / sizeof heap_variants[0];
        while (k < nk && !lg_eq(h.variant, heap_variants[k].name))
            k++;
        if (k == nk)
            return PPROF_EUNRECOGNIZED;
        v2 = heap_variants[k].v2;
        lp->period = heap_variants[k].period == HEAP_PERIOD_ONE    ? 1
                     : heap_variants[k].period == HEAP_PERIOD_RATE ? rate
                                                                   : rate / 2;
    } else if (match_heap_word_header(line, "growth") || match_heap_word_header(line, "fragmentation")) {
        lp->period = 1;
    } else {
        return PPROF_EUNRECOGNIZED;
    }
    if (has_alloc)
        lg_set_types(lp, heap_alloc_types, 4);
    else
        lg_set_types(lp, heap_types, 2);
    lp->period_type[0] = (lg_str){"space", 5};
    lp->period_type[1] = (lg_str){"bytes", 5};

    while (lg_scan(&s)) {
        line = lg_trim(s.text);
        if (lg_is_space_or_comment(line))
            continue;
        if (lg_is_map_sentinel(line))
            break;
        lg_str g[5];
        if (!match_heap_sample(line, g))
            return malformed(err, "heap sample", s.line_no, line);
        int64_t vals[4], blocksize = 0;
        size_t nv = 0;
        int rc;
        if (has_alloc && (rc = heap_values(g[2], g[3], "allocation", s.line_no, line, lp->period, v2,
                                           vals, &nv, &blocksize, err)) != 0)
            return rc;
        if ((rc = heap_values(g[0], g[1], "inuse", s.line_no, line, lp->period, v2, vals, &nv, &blocksize,
                              err)) != 0)
            return rc;
        lp->n_tmp = 0;
        if (!lg_hex_addresses(lp, g[4]))
            return malformed(err, "heap sample", s.line_no, line);
        if ((rc = lg_add_sample_addrs(lp, vals, nv, 0)) != 0)
            return build_error(err, rc);
        lp->samples[lp->n_samples - 1].has_bytes = true;
        lp->samples[lp->n_samples - 1].bytes = blocksize;
    }
    if (s.too_long)
        return lg_scan_error(&s, err);
    return lg_additional_sections(lp, &s, err);
}

/* ================================================================ Go count */

/* "<type> profile: total N" as the whole line. */
static bool match_count_header(lg_str l, lg_str *type)
{
    size_t e = 0;
    while (e < l.n && !lg_is_re_space((unsigned char)l.p[e]))
        e++;
    if (e == 0)
        return false;
    *type = sub(l, 0, e);
    return literal(l, &e, " profile: total ") && digits(l, &e, NULL) && e == l.n;
}

static bool is_lower_hex(int c)
{
    return lg_is_digit(c) || (c >= 'a' && c <= 'f');
}

/* "N @ 0x.. 0x.." as the whole line; the addresses go to lp->tmp. */
static bool match_count_row(lg_profile *lp, lg_str l, int64_t *n)
{
    size_t i = 0;
    lg_str num;
    if (!digits(l, &i, &num) || !literal(l, &i, " @") || i == l.n)
        return false;
    lp->n_tmp = 0;
    while (i < l.n) {
        if (!literal(l, &i, " 0x"))
            return false;
        size_t e = lg_run(l, i, is_lower_hex);
        uint64_t v;
        if (e == i || !lg_parse_uint(sub(l, i - 2, e), 0, &v) || lg_push_tmp(lp, v))
            return false;
        i = e;
    }
    return lg_parse_int(num, 0, n);
}

int lg_parse_go_count(lg_profile *lp, const char *data, size_t len, pprof_error *err)
{
    lg_scanner s;
    lg_scanner_init(&s, data, len);
    while (lg_scan(&s) && lg_is_space_or_comment(s.text)) {
    }
    if (s.too_long)
        return lg_scan_error(&s, err);
    lg_str type;
    if (!match_count_header(s.text, &type))
        return PPROF_EUNRECOGNIZED;
    lp->n_types = 1;
    lp->types[0][0] = type;
    lp->types[0][1] = (lg_str){"count", 5};
    period_type_from(lp, 0);
    lp->period = 1;
    while (lg_scan(&s)) {
        lg_str line = s.text;
        if (lg_is_space_or_comment(line))
            continue;
        if (lg_has_prefix(line, "---"))
            break;
        int64_t n;
        if (!match_count_row(lp, line, &n))
            return malformed(err, "count profile row", s.line_no, line);
        int rc = lg_add_sample_addrs(lp, &n, 1, 0);
        if (rc)
            return build_error(err, rc);
    }
    if (s.too_long)
        return lg_scan_error(&s, err);
    return lg_additional_sections(lp, &s, err);
}

/* ================================================================ threadz */

static bool match_threadz_header(lg_str l)
{
    for (size_t i = lg_find(l, 0, "--- threadz "); i != SIZE_MAX; i = lg_find(l, i + 1, "--- threadz ")) {
        size_t e = i + 12;
        if (digits(l, &e, NULL) && literal(l, &e, " ---"))
            return true;
    }
    return false;
}

/* "--- Thread HEX (name: NAME/TID) stack: ---" anywhere in the line. */
static bool match_thread_start(lg_str l)
{
    /* the name may hold anything, so only the last "/TID) stack: ---" matters */
    size_t tail = SIZE_MAX;
    for (size_t k = lg_find(l, 0, "/"); k != SIZE_MAX; k = lg_find(l, k + 1, "/")) {
        size_t d = k + 1;
        if (digits(l, &d, NULL) && literal(l, &d, ") stack: ---"))
            tail = k;
    }
    if (tail == SIZE_MAX)
        return false;
    for (size_t i = lg_find(l, 0, "--- Thread "); i != SIZE_MAX && i < tail;
         i = lg_find(l, i + 1, "--- Thread ")) {
        size_t e = lg_run(l, i + 11, lg_is_xdigit);
        if (e > i + 11 && literal(l, &e, " (name: ") && e <= tail)
            return true;
    }
    return false;
}

static const char *const thread_types[] = {"thread", "count"};

/* One thread's stack lines; leaves the addresses in lp->tmp (none for
 * "same as previous thread") and the trimmed line that ended it in *next. */
static int thread_sample(lg_profile *lp, lg_scanner *s, lg_str *next, pprof_error *err)
{
    lg_str line = {"", 0};
    bool same = false;
    lp->n_tmp = 0;
    while (lg_scan(s)) {
        line = lg_trim(s->text);
        if (line.n == 0)
            continue;
        if (lg_has_prefix(line, "---"))
            break;
        if (lg_contains(line, "same as previous thread")) {
            same = true;
            continue;
        }
        if (!lg_hex_addresses(lp, line))
            return malformed(err, "thread sample", s->line_no, line);
    }
    if (s->too_long)
        return lg_scan_error(s, err);
    if (same)
        lp->n_tmp = 0;
    *next = line;
    return 0;
}

int lg_parse_thread(lg_profile *lp, const char *data, size_t len, pprof_error *err)
{
    lg_scanner s;
    lg_scanner_init(&s, data, len);
    while (lg_scan(&s) && lg_is_space_or_comment(s.text)) {
    }
    lg_str line = s.text;
    if (match_threadz_header(line)) {
        while (lg_scan(&s)) {
            line = s.text;
            if (lg_is_map_sentinel(line) || lg_has_prefix(line, "-"))
                break;
        }
    } else if (!match_thread_start(line)) {
        return PPROF_EUNRECOGNIZED;
    }
    lg_set_types(lp, thread_types, 1);
    period_type_from(lp, 0);
    lp->period = 1;
    while (!lg_is_map_sentinel(line)) {
        if (lg_has_prefix(line, "---- no stack trace for"))
            break;
        if (!match_thread_start(line))
            return PPROF_EUNRECOGNIZED;
        int rc = thread_sample(lp, &s, &line, err);
        if (rc)
            return rc;
        if (lp->n_tmp == 0) {
            /* same as the previous thread: count it again */
            if (lp->n_samples) {
                int64_t *v = &lp->values[(lp->n_samples - 1) * 4];
                *v = (int64_t)((uint64_t)*v + 1);
            }
            continue;
        }
        int64_t one = 1;
        if ((rc = lg_add_sample_addrs(lp, &one, 1, 1)) != 0)
            return build_error(err, rc);
    }
    int rc = lg_additional_sections(lp, &s, err);
    if (rc)
        return rc;
    lg_cleanup_duplicate_leaf(lp);
    return 0;
}

/* ================================================================ contention */

static const char *const contention_types[] = {"contentions", "count", "delay", "nanoseconds"};

/* "DELAY COUNT @ addrs": the first "digits [spaces] digits @" in the line. */
static bool match_contention_sample(lg_str l, lg_str g[3])
{
    for (size_t e = lg_find(l, 0, " @"); e != SIZE_MAX; e = lg_find(l, e + 1, " @")) {
        if (e == 0 || !lg_is_digit((unsigned char)l.p[e - 1]))
            continue;
        size_t r2 = e;
        while (r2 > 0 && lg_is_digit((unsigned char)l.p[r2 - 1]))
            r2--;
        size_t sp = r2;
        while (sp > 0 && l.p[sp - 1] == ' ')
            sp--;
        if (sp < r2 && sp > 0 && lg_is_digit((unsigned char)l.p[sp - 1])) {
            size_t r1 = sp;
            while (r1 > 0 && lg_is_digit((unsigned char)l.p[r1 - 1]))
                r1--;
            g[0] = sub(l, r1, sp);
            g[1] = sub(l, r2, e);
        } else if (e - r2 >= 2) {
            g[0] = sub(l, r2, e - 1);
            g[1] = sub(l, e - 1, e);
        } else {
            continue;
        }
        size_t a = e + 2;
        g[2] = sub(l, a, lg_run(l, a, is_addr_list_char));
        return true;
    }
    return false;
}

/* Header attributes and what each sets; "format" and "resolution" mark a
 * Java profile, so they make this one unrecognized. */
enum { ATTR_CPU_HZ, ATTR_PERIOD, ATTR_MS, ATTR_IGNORE, ATTR_REJECT };
static const struct {
    const char *key;
    int what;
} contention_attrs[] = {
    {"cycles/second", ATTR_CPU_HZ},  {"sampling period", ATTR_PERIOD}, {"ms since reset", ATTR_MS},
    {"format", ATTR_REJECT},         {"resolution", ATTR_REJECT},      {"discarded samples", ATTR_IGNORE},
};

int lg_parse_contention(lg_profile *lp, const char *data, size_t len, pprof_error *err)
{
    lg_scanner s;
    lg_scanner_init(&s, data, len);
    if (!lg_scan(&s))
        return s.too_long ? lg_scan_error(&s, err) : PPROF_EUNRECOGNIZED;
    if (!lg_has_prefix(s.text, "--- contentionz ") && !lg_has_prefix(s.text, "--- mutex:") &&
        !lg_has_prefix(s.text, "--- contention:"))
        return PPROF_EUNRECOGNIZED;
    lg_set_types(lp, contention_types, 2);
    period_type_from(lp, 0);
    lp->period = 1;
    int64_t cpu_hz = 0;
    while (lg_scan(&s)) {
        lg_str line = lg_trim(s.text);
        if (lg_is_space_or_comment(line))
            continue;
        if (lg_has_prefix(line, "---"))
            break;
        const char *eq = memchr(line.p, '=', line.n);
        if (!eq)
            break;
        size_t k = (size_t)(eq - line.p);
        lg_str key = lg_trim(sub(line, 0, k)), val = lg_trim(sub(line, k + 1, line.n));
        size_t a = 0, na = sizeof contention_attrs / sizeof contention_attrs[0];
        while (a < na && !lg_eq(key, contention_attrs[a].key))
            a++;
        int64_t v = 0;
        if (a == na || contention_attrs[a].what == ATTR_REJECT)
            return PPROF_EUNRECOGNIZED;
        if (contention_attrs[a].what != ATTR_IGNORE && !lg_parse_int(val, 0, &v))
            return PPROF_EUNRECOGNIZED;
        if (contention_attrs[a].what == ATTR_CPU_HZ)
            cpu_hz = v;
        else if (contention_attrs[a].what == ATTR_PERIOD)
            lp->period = v;
        else if (contention_attrs[a].what == ATTR_MS)
            lp->duration_nanos = lg_mul_wrap(v, 1000 * 1000);
    }
    if (s.too_long)
        return lg_scan_error(&s, err);
    for (;;) {
        lg_str line = lg_trim(s.text);
        if (lg_has_prefix(line, "---"))
            break;
        if (!lg_is_space_or_comment(line)) {
            lg_str g[3];
            if (!match_contention_sample(line, g))
                return PPROF_EUNRECOGNIZED;
            int64_t delay, count;
            if (!lg_parse_int(g[0], 10, &delay) || !lg_parse_int(g[1], 10, &count))
                return malformed(err, "contention sample", s.line_no, line);
            if (lp->period > 0) {
                if (cpu_hz > 0) {
                    double ghz = (double)cpu_hz / 1e9;
                    delay = lg_f64_to_i64((double)delay * (double)lp->period / ghz);
                }
                count = lg_mul_wrap(count, lp->period);
            }
            int64_t vals[2] = {count, delay};
            lp->n_tmp = 0;
            if (!lg_hex_addresses(lp, g[2]))
                return malformed(err, "contention sample", s.line_no, line);
            int rc = lg_add_sample_addrs(lp, vals, 2, 0);
            if (rc)
                return build_error(err, rc);
        }
        if (!lg_scan(&s))
            break;
    }
    if (s.too_long)
        return lg_scan_error(&s, err);
    return lg_additional_sections(lp, &s, err);
}

/* ================================================================ Java */

static bool is_word_or_space(int c)
{
    return c == ' ' || c == '_' || lg_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* `([\w ]+)=([\w ]+)`: the first '=' with word characters on both sides. */
static bool match_attribute(lg_str l, lg_str *key, lg_str *val)
{
    for (size_t e = 0; e < l.n; e++) {
        if (l.p[e] != '=')
            continue;
        size_t a = e;
        while (a > 0 && is_word_or_space((unsigned char)l.p[a - 1]))
            a--;
        size_t z = lg_run(l, e + 1, is_word_or_space);
        if (a == e || z == e + 1)
            continue;
        *key = lg_trim(sub(l, a, e));
        *val = lg_trim(sub(l, e + 1, z));
        return true;
    }
    return false;
}

/* ` *(\d+) +(\d+) +@ +([ x0-9a-f]*)`: the two numbers and the addresses. */
static bool match_java_sample(lg_str l, lg_str g[3])
{
    for (size_t i = 0; i < l.n; i++) {
        if (!lg_is_digit((unsigned char)l.p[i]) || (i > 0 && lg_is_digit((unsigned char)l.p[i - 1])))
            continue;
        size_t e = i;
        digits(l, &e, &g[0]);
        size_t k = spaces(l, e);
        if (k == e || !digits(l, &k, &g[1]))
            continue;
        size_t m = spaces(l, k);
        if (m == k || at(l, m) != '@')
            continue;
        size_t a = spaces(l, m + 1);
        if (a == m + 1)
            continue;
        g[2] = sub(l, a, lg_run(l, a, is_addr_list_char));
        return true;
    }
    return false;
}

/* Next '\n'-terminated line of *rest (false when none is left). */
static bool next_full_line(lg_str *rest, lg_str *line)
{
    const char *nl = rest->n ? memchr(rest->p, '\n', rest->n) : NULL;
    if (!nl)
        return false;
    *line = (lg_str){rest->p, (size_t)(nl - rest->p)};
    return true;
}

static void skip_line(lg_str *rest, lg_str line)
{
    rest->p += line.n + 1;
    rest->n -= line.n + 1;
}

static const char *const java_heap_types[] = {"inuse_objects", "count", "inuse_space", NULL};
static const char *const java_contention_types[] = {"contentions", "count", "delay", NULL};

static int java_header(lg_profile *lp, bool heap, lg_str *rest, pprof_error *err)
{
    lg_str raw;
    while (next_full_line(rest, &raw)) {
        lg_str line = lg_trim(raw);
        if (line.n) {
            lg_str key, val;
            if (!match_attribute(line, &key, &val))
                return 0;
            if (lg_eq(key, "format")) {
                if (!lg_eq(val, "java"))
                    return PPROF_EUNRECOGNIZED;
            } else if (lg_eq(key, "resolution")) {
                const char *const *t = heap ? java_heap_types : java_contention_types;
                lp->n_types = 2;
                lp->types[0][0] = (lg_str){t[0], strlen(t[0])};
                lp->types[0][1] = (lg_str){t[1], strlen(t[1])};
                lp->types[1][0] = (lg_str){t[2], strlen(t[2])};
                lp->types[1][1] = val;
            } else if (!heap && lg_eq(key, "sampling period")) {
                lp->period_type[0] = (lg_str){"contentions", 11};
                lp->period_type[1] = (lg_str){"count", 5};
                if (!lg_parse_int(val, 0, &lp->period))
                    return malformed(err, "attribute", 0, line);
            } else if (!heap && lg_eq(key, "ms since reset")) {
                int64_t ms;
                if (!lg_parse_int(val, 0, &ms))
                    return malformed(err, "attribute", 0, line);
                lp->duration_nanos = lg_mul_wrap(ms, 1000 * 1000);
            } else {
                return PPROF_EUNRECOGNIZED;
            }
        }
        skip_line(rest, raw);
    }
    return 0;
}

/* Java's sampling rate for heap profiles (512 KiB). */
#define JAVA_HEAP_RATE 524288

static int java_samples(lg_profile *lp, bool heap, lg_str *rest, pprof_error *err)
{
    lg_str raw;
    while (next_full_line(rest, &raw)) {
        lg_str line = lg_trim(raw);
        if (line.n) {
            lg_str g[3];
            if (!match_java_sample(line, g))
                return 0;
            lp->n_tmp = 0;
            if (!lg_hex_addresses(lp, g[2]))
                return malformed(err, "sample", 0, line);
            /* the count comes second, the value first */
            int64_t v[2];
            if (!lg_parse_int(g[1], 0, &v[0]) || !lg_parse_int(g[0], 0, &v[1]))
                return malformed(err, "sample", 0, line);
            bool has_bytes = false;
            int64_t bytes = 0;
            if (heap) {
                if (v[0] == 0)
                    return pprof_error_set(err, PPROF_EFORMAT,
                                           "legacy Java heap profile: sample count must be non-zero");
                bytes = div_go(v[1], v[0]);
                has_bytes = true;
                lg_scale_heap(&v[0], &v[1], JAVA_HEAP_RATE);
            } else if (lp->period != 0) {
                v[0] = lg_mul_wrap(v[0], lp->period);
                v[1] = lg_mul_wrap(v[1], lp->period);
            }
            int rc = lg_add_sample_addrs(lp, v, 2, SIZE_MAX);
            if (rc)
                return build_error(err, rc);
            lp->samples[lp->n_samples - 1].has_bytes = has_bytes;
            lp->samples[lp->n_samples - 1].bytes = bytes;
        }
        skip_line(rest, raw);
    }
    return 0;
}

/* filepath.Base. */
static lg_str base_name(lg_str p)
{
    if (p.n == 0)
        return (lg_str){".", 1};
    while (p.n > 0 && p.p[p.n - 1] == '/')
        p.n--;
    if (p.n == 0)
        return (lg_str){"/", 1};
    size_t i = p.n;
    while (i > 0 && p.p[i - 1] != '/')
        i--;
    return sub(p, i, p.n);
}

/* The rightmost "<space>(" at or before position last (and after 0). */
static size_t open_paren_before(lg_str t, size_t last)
{
    for (size_t j = last + 1; j-- > 1;)
        if (t.p[j] == '(' && lg_is_re_space((unsigned char)t.p[j - 1]))
            return j;
    return 0;
}

/* The function, file and line of a Java symbol's text: "func (file:line)",
 * "func (path/lib.so)", a JIT stub, or a bare name ("GC", "VM"). */
static void java_symbol(lg_str t, lg_str *fn, lg_str *file, int64_t *line)
{
    *file = (lg_str){"", 0};
    *line = 0;
    if (t.n >= 3 && t.p[t.n - 1] == ')') {
        size_t close = t.n - 1, d = close;
        while (d > 0 && lg_is_digit((unsigned char)t.p[d - 1]))
            d--;
        size_t c = d;
        if (c > 0 && t.p[c - 1] == '-')
            c--;
        if (d < close && c > 0 && t.p[c - 1] == ':' && c >= 3) {
            c--; /* the colon; the file before it is not empty */
            size_t j = open_paren_before(t, c - 2);
            if (j) {
                *fn = sub(t, 0, j - 1);
                *file = sub(t, j + 1, c);
                int64_t n;
                if (lg_parse_int(sub(t, c + 1, close), 10, &n) && n > 0)
                    *line = n;
                return;
            }
        }
        size_t j = open_paren_before(t, close - 1);
        if (j) {
            *fn = sub(t, 0, j - 1);
            *file = base_name(sub(t, j + 1, close));
            return;
        }
    }
    if (lg_contains(t, "generated stub/JIT")) {
        *fn = (lg_str){"STUB", 4};
        return;
    }
    *fn = t;
}

static uint64_t func_entry_hash(const void *ctx, size_t i)
{
    lg_str name = ((const lg_profile *)ctx)->funcs[i].name;
    return pprof_hash_bytes(name.p, name.n);
}

/* The function named name, created with file when new. */
static int java_function(lg_profile *lp, lg_str name, lg_str file, uint32_t *out)
{
    if (!lp->fslots || (lp->n_funcs + 1) * 2 > lp->fslot_mask + 1) {
        int rc = pprof_slots_rebuild(&lp->fslots, &lp->fslot_mask, lp->fslots ? (lp->fslot_mask + 1) * 2 : 256,
                                     lp->n_funcs, func_entry_hash, lp);
        if (rc)
            return rc;
    }
    size_t mask = lp->fslot_mask, i = pprof_hash_bytes(name.p, name.n) & mask;
    for (; lp->fslots[i]; i = (i + 1) & mask) {
        lg_str f = lp->funcs[lp->fslots[i] - 1].name;
        if (f.n == name.n && (f.n == 0 || memcmp(f.p, name.p, f.n) == 0)) {
            *out = lp->fslots[i] - 1;
            return 0;
        }
    }
    if (lp->n_funcs >= UINT32_MAX - 2)
        return PPROF_ELIMIT;
    if (PPROF_GROW(lp->funcs, lp->cap_funcs, lp->n_funcs + 1))
        return PPROF_ENOMEM;
    lp->funcs[lp->n_funcs] = (lg_func){name, file};
    *out = (uint32_t)lp->n_funcs++;
    lp->fslots[i] = *out + 1;
    return 0;
}

int lg_java_locations(lg_profile *lp, lg_str rest, pprof_error *err)
{
    while (rest.n) {
        const char *nl = memchr(rest.p, '\n', rest.n);
        size_t n = nl ? (size_t)(nl - rest.p) + 1 : rest.n;
        lg_str line = lg_trim((lg_str){rest.p, n});
        rest.p += n;
        rest.n -= n;
        /* ^\s*0x(hex+)\s+(.*)\s*$ */
        size_t i = 0;
        if (!literal(line, &i, "0x"))
            continue;
        size_t e = lg_run(line, i, lg_is_xdigit);
        size_t w = lg_run(line, e, lg_is_re_space);
        if (e == i || w == e)
            continue;
        uint64_t addr;
        if (!lg_parse_uint(sub(line, i, e), 16, &addr))
            return malformed(err, "symbol", 0, line);
        uint32_t li;
        if (!lg_find_location(lp, addr, &li))
            continue;
        lg_str fn, file;
        int64_t lineno;
        java_symbol(sub(line, w, line.n), &fn, &file, &lineno);
        uint32_t fi;
        int rc = java_function(lp, fn, file, &fi);
        if (rc)
            return build_error(err, rc);
        lp->locs[li].func = fi;
        lp->locs[li].line = lineno;
        lp->locs[li].symbolized = true;
    }
    if (lg_remap_locations(lp))
        return oom(err);
    /* functions in order of first use by the ordered locations */
    free(lp->func_order);
    lp->func_order = NULL;
    lp->n_func_order = 0;
    if (lp->n_funcs) {
        uint8_t *seen = calloc(lp->n_funcs, 1);
        lp->func_order = malloc(lp->n_funcs * sizeof *lp->func_order);
        if (!seen || !lp->func_order) {
            free(seen);
            return oom(err);
        }
        size_t n = lp->remapped ? lp->n_order : lp->n_locs;
        for (size_t k = 0; k < n; k++) {
            uint32_t f = lp->locs[lp->remapped ? lp->order[k] : k].func;
            if (f != LG_NONE && !seen[f]) {
                seen[f] = 1;
                lp->func_order[lp->n_func_order++] = f;
            }
        }
        free(seen);
    }
    if (lg_remap_mappings(lp))
        return oom(err);
    lp->zero_addresses = true;
    return 0;
}

int lg_parse_java(lg_profile *lp, const char *data, size_t len, pprof_error *err)
{
    lg_str all = {data, len}, first;
    if (!next_full_line(&all, &first))
        return PPROF_EUNRECOGNIZED;
    lg_str header = lg_trim(first);
    bool heap;
    if (lg_eq(header, "--- heapz 1 ---"))
        heap = true;
    else if (lg_eq(header, "--- contentionz 1 ---"))
        heap = false;
    else
        return PPROF_EUNRECOGNIZED;
    skip_line(&all, first);
    int rc = java_header(lp, heap, &all, err);
    if (rc)
        return rc;
    if ((rc = java_samples(lp, heap, &all, err)) != 0)
        return rc;
    return lg_java_locations(lp, all, err);
}
