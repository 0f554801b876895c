/* folded_read.c: reader of folded (collapsed) stack text ("a;b;c 10", perf/flamegraph.pl/inferno), single or two-column. */
#include "internal.h"
#include "readers.h"

#include <stdlib.h>
#include <string.h>

/*
 * Rules (spec/flamegraph.md §2a), and the choices made where consumers differ:
 *
 * - Lines end at '\n'; a trailing '\r' (CRLF) and leading/trailing blanks
 *   (space, tab) are trimmed. A UTF-8 byte-order mark at the start is skipped.
 * - Blank lines and lines whose first non-blank byte is '#' are skipped.
 * - A line is "stack WS count [WS count]": the count is taken from the end of
 *   the line, so frames may contain spaces. WS is one or more spaces or tabs
 *   (flamegraph.pl accepts a tab; inferno only a space). A count is
 *   \d+(\.\d*)? as flamegraph.pl matches it; a fraction is truncated (as
 *   inferno does) and noted in a profile comment.
 * - Two-column (differential, difffolded.pl's "stack before after"): a file is
 *   differential when every well-formed line ends in two counts. Deciding per
 *   file rather than per line (as flamegraph.pl does) keeps a last frame like
 *   "sleep 100" from turning one line of a plain file into a differential.
 *   The "after" counts become ordinary samples; the "before" counts become
 *   samples of value -before labelled pprof::base=true (what -diff_base makes).
 *   A zero count in a two-column file means "absent" and makes no sample.
 * - Frames are split on ';' only (there is no escape). Empty frames ("a;;b",
 *   a leading or trailing ';') are kept as frames with an empty name, as
 *   flamegraph.pl and inferno draw them and as the folded writer emits them
 *   (an empty -tagroot value), so folded text round-trips; pprof's reports
 *   show such a function as "<unknown>". A line with no non-empty frame
 *   (";; 5") is malformed. Bytes are kept as they are (invalid UTF-8,
 *   control characters): the writers escape for their output.
 * - Detection (PPROF_EUNRECOGNIZED, from the first lines only): the first
 *   non-comment line must parse and have a named frame; up to and including
 *   it, no control byte but tab (and CR before LF) may appear, so binary data
 *   is refused at its first such byte. pprof's legacy text (a line starting
 *   "---", holding "heap profile:", " profile: total " or " @ 0x", or
 *   starting "N:" / "N @") is refused, and so is a first line without ';'
 *   that reads like "key: value" text (ends in ':' or '=', holds ": " or
 *   " = ", or has a fractional count).
 * - After that, a line that does not parse (no trailing count, no named
 *   frame, a NUL byte) is skipped, as flamegraph.pl does; the profile gets a
 *   comment saying how many were skipped and the first line number.
 *   Control bytes other than NUL are kept in names.
 * - Counts above INT64_MAX, and sums of one stack's counts that overflow
 *   int64, are errors (PPROF_EFORMAT) naming the line: saturating would make
 *   a silently wrong profile.
 * - Lines with the same stack are summed. One Function per distinct frame
 *   name (name and system name = the frame, no file), one Location per
 *   Function (no mapping, address 0), one Sample per distinct stack in
 *   first-seen order (base samples after all others), locations leaf first.
 *   Sample type samples/count; no period, time or duration. A zero count in
 *   a one-column file makes a zero-valued sample.
 * - Bounds: memory is linear in the input; no recursion; a frame longer than
 *   4 GiB or a stack of more than 2^32 frames is PPROF_ELIMIT.
 */

typedef struct {
    const uint8_t *p;
    size_t n;
} span;

enum { L_BLANK, L_COMMENT, L_BAD, L_ONE, L_TWO };

/* The parse of one trimmed line. */
typedef struct {
    int kind;
    size_t end1, tok1; /* stack end and last count, one-column reading */
    size_t end2, tok2; /* stack end and first count, two-column reading (L_TWO) */
} line_parse;

static bool is_blank(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* Next line from *pos: its bytes without '\n'; advances *pos. */
static span next_line(const uint8_t *d, size_t len, size_t *pos)
{
    size_t b = *pos;
    const uint8_t *nl = memchr(d + b, '\n', len - b);
    size_t e = nl ? (size_t)(nl - d) : len;
    *pos = nl ? e + 1 : len;
    return (span){d + b, e - b};
}

/* Drops leading and trailing blanks and trailing '\r's. */
static span trim(span l)
{
    while (l.n && (is_blank(l.p[l.n - 1]) || l.p[l.n - 1] == '\r'))
        l.n--;
    while (l.n && is_blank(l.p[0])) {
        l.p++;
        l.n--;
    }
    return l;
}

/* When s[0..n) ends in a count preceded by blanks and something else:
 * *tok = the count's start, *end = where the blanks start. */
static bool tail_count(const uint8_t *s, size_t n, size_t *tok, size_t *end)
{
    size_t i = n;
    while (i && is_digit(s[i - 1]))
        i--;
    if (i && s[i - 1] == '.') {
        size_t k = i - 1;
        while (k && is_digit(s[k - 1]))
            k--;
        if (k == i - 1)
            return false; /* ".5": no integer digits */
        i = k;
    } else if (i == n) {
        return false;
    }
    if (!i || !is_blank(s[i - 1]))
        return false;
    size_t w = i;
    while (w && is_blank(s[w - 1]))
        w--;
    if (!w)
        return false;
    *tok = i;
    *end = w;
    return true;
}

static line_parse classify(span l)
{
    line_parse r = {L_BAD, 0, 0, 0, 0};
    if (!l.n) {
        r.kind = L_BLANK;
        return r;
    }
    if (l.p[0] == '#') {
        r.kind = L_COMMENT;
        return r;
    }
    if (!tail_count(l.p, l.n, &r.tok1, &r.end1))
        return r;
    r.kind = tail_count(l.p, r.end1, &r.tok2, &r.end2) ? L_TWO : L_ONE;
    return r;
}

/* Parses the count at s (validated by tail_count). Returns false when its
 * integer part exceeds INT64_MAX; *frac says a non-zero fraction was cut. */
static bool parse_count(const uint8_t *s, size_t n, int64_t *v, bool *frac)
{
    uint64_t x = 0;
    size_t i = 0;
    for (; i < n && is_digit(s[i]); i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (x > ((uint64_t)INT64_MAX - d) / 10)
            return false;
        x = x * 10 + d;
    }
    *frac = false;
    for (i++; i < n; i++)
        if (s[i] != '0')
            *frac = true;
    *v = (int64_t)x;
    return true;
}

static bool has_prefix(span l, const char *s)
{
    size_t n = strlen(s);
    return l.n >= n && memcmp(l.p, s, n) == 0;
}

static bool contains(span l, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; n <= l.n && i <= l.n - n; i++)
        if (l.p[i] == (uint8_t)s[0] && memcmp(l.p + i, s, n) == 0)
            return true;
    return false;
}

/* pprof's legacy text formats and "key: value" text, which could otherwise
 * pass for a one-frame folded line ("goroutine profile: total 4"). */
static bool looks_legacy(span l, const line_parse *lp)
{
    if (has_prefix(l, "---") || contains(l, "heap profile:") || contains(l, " profile: total ") ||
        contains(l, " @ 0x"))
        return true;
    size_t i = 0;
    while (i < l.n && is_digit(l.p[i]))
        i++;
    if (i) { /* "1: 2 [...]", "1 @ 0x..." */
        size_t k = i;
        while (k < l.n && is_blank(l.p[k]))
            k++;
        if (k < l.n && (l.p[k] == ':' || l.p[k] == '@'))
            return true;
    }
    /* A one-frame first line is where text reports would slip through:
     * "Total: 5", "sampling period = 1", " bytes: Total 18703725.0" (-tags). */
    span stack = {l.p, lp->end1};
    if (memchr(stack.p, ';', stack.n))
        return false;
    return stack.p[stack.n - 1] == ':' || stack.p[stack.n - 1] == '=' || contains(stack, ": ") ||
           contains(stack, " = ") || memchr(l.p + lp->tok1, '.', l.n - lp->tok1);
}

/* True when s[0..n) holds a non-empty frame. */
static bool has_frame(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ';')
            return true;
    return false;
}

/* Decides from the first lines whether data is folded text; *start receives
 * the offset past a byte-order mark. Stops at the first control byte. */
static int detect(const uint8_t *d, size_t len, size_t *start, pprof_error *err)
{
    size_t pos = 0;
    if (len >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf)
        pos = 3;
    *start = pos;
    size_t line = 0;
    while (pos < len) {
        line++;
        size_t b = pos, e = b;
        for (; e < len && d[e] != '\n'; e++) {
            uint8_t c = d[e];
            if (c < 0x20 && c != '\t' && !(c == '\r' && (e + 1 == len || d[e + 1] == '\n')))
                return pprof_error_set(err, PPROF_EUNRECOGNIZED,
                                       "not folded stacks: control byte 0x%02x at line %zu, offset %zu", c,
                                       line, e);
        }
        pos = e < len ? e + 1 : len;
        span l = trim((span){d + b, e - b});
        line_parse lp = classify(l);
        if (lp.kind == L_BLANK || lp.kind == L_COMMENT)
            continue;
        if (lp.kind == L_BAD || looks_legacy(l, &lp) || !has_frame(l.p, lp.end1))
            return pprof_error_set(err, PPROF_EUNRECOGNIZED,
                                   "not folded stacks: line %zu is not \"frame;frame count\"", line);
        return 0;
    }
    return pprof_error_set(err, PPROF_EUNRECOGNIZED, "not folded stacks: no stack line");
}

/* ---------------------------------------------------------------- builder */

typedef struct {
    uint64_t hash;
    uint64_t off; /* in st.locs */
    uint32_t n;
    int64_t value, base;
} stack_rec;

/* A frame name seen before: a record in st->names at an 8-byte boundary,
 * this header then the name's bytes. The toolkit's index finds it, a slot
 * holding the record's offset / 8 + 1, so that a repeated frame costs two
 * dependent loads, the slot and the record (hash, length, location and
 * bytes side by side). With a slot leading to an array element that points
 * to the profile's copy of the name, there are three: reading 300,000
 * lines of 5-35 frames over 400,000 distinct names took ~20% longer. */
typedef struct {
    uint64_t hash;
    uint32_t n, loc;
} name_head;

/* One frame of the line being read. */
typedef struct {
    const uint8_t *s;
    size_t n;
    uint64_t hash;
} frame_ref;

typedef struct {
    pprof_profile *p;
    bool two;
    uint8_t *names; /* the name records */
    size_t names_len, cap_names, n_names;
    uint32_t *name_slots; /* record offset / 8 + 1; 0 empty */
    size_t names_mask;
    uint32_t *locs; /* every distinct stack's locations, leaf first */
    size_t n_locs, cap_locs;
    stack_rec *stacks;
    size_t n_stacks, cap_stacks;
    uint32_t *slots; /* stack index + 1; 0 empty */
    size_t mask;
    uint32_t *tmp; /* the current line's locations */
    size_t cap_tmp;
    frame_ref *fr; /* the current line's frames */
    size_t cap_fr;
    size_t bad_lines, first_bad, frac_lines;
} state;

static int oom(pprof_error *err)
{
    return pprof_error_set(err, PPROF_ENOMEM, "folded stacks: out of memory");
}

/* The name record a slot value (offset / 8) leads to. */
static const name_head *name_at(const state *st, size_t value)
{
    return (const name_head *)(const void *)(st->names + value * 8);
}

static uint64_t name_entry_hash(const void *ctx, size_t value)
{
    return name_at(ctx, value)->hash;
}

/* The location of frame name fr (made on first sight). */
static int frame_loc(state *st, const frame_ref *fr, uint32_t *out, size_t line, pprof_error *err)
{
    const uint8_t *s = fr->s;
    size_t n = fr->n;
    uint64_t h = fr->hash;
    size_t i = h & st->names_mask;
    for (uint32_t x; (x = st->name_slots[i]); i = (i + 1) & st->names_mask) {
        const name_head *e = name_at(st, x - 1);
        if (e->hash == h && e->n == n && memcmp(e + 1, s, n) == 0) {
            *out = e->loc;
            return 0;
        }
    }
    pprof_profile *p = st->p;
    pprof_str id;
    int rc = pprof_profile_intern(&id, p, (const char *)s, n);
    if (rc == PPROF_ELIMIT)
        return pprof_error_set(err, rc, "folded stacks: line %zu: frame too long", line);
    if (rc)
        return oom(err);
    pprof_function f = {.id = p->n_functions + 1, .name = id, .system_name = id};
    uint32_t fi, li;
    if (pprof_profile_add_function(&fi, p, &f))
        return oom(err);
    pprof_location l = {.id = p->n_locations + 1, .mapping = PPROF_NONE};
    pprof_line fn_line = {.function = fi};
    if (pprof_profile_add_location(&li, p, &l, &fn_line, 1))
        return oom(err);
    size_t at = st->names_len, size = (sizeof(name_head) + n + 7) & ~(size_t)7;
    if (at / 8 >= UINT32_MAX)
        return pprof_error_set(err, PPROF_ELIMIT, "folded stacks: line %zu: frame names longer than 32 GiB in all",
                               line);
    if (PPROF_GROW(st->names, st->cap_names, at + size))
        return oom(err);
    name_head head = {h, (uint32_t)n, li};
    memcpy(st->names + at, &head, sizeof head);
    memcpy(st->names + at + sizeof head, s, n);
    st->names_len = at + size;
    st->name_slots[i] = (uint32_t)(at / 8) + 1;
    if (++st->n_names * 2 > st->names_mask + 1 &&
        pprof_slots_grow(&st->name_slots, &st->names_mask, name_entry_hash, st))
        return oom(err);
    *out = li;
    return 0;
}

static uint64_t stack_entry_hash(const void *ctx, size_t i)
{
    return ((const state *)ctx)->stacks[i].hash;
}

static int rehash(state *st, size_t slots)
{
    return pprof_slots_rebuild(&st->slots, &st->mask, slots, st->n_stacks, stack_entry_hash, st);
}

static int add_counts(stack_rec *s, int64_t value, int64_t base, size_t line, pprof_error *err)
{
    if (__builtin_add_overflow(s->value, value, &s->value) || __builtin_add_overflow(s->base, base, &s->base))
        return pprof_error_set(err, PPROF_EFORMAT,
                               "folded stacks: line %zu: the sum of this stack's counts overflows int64",
                               line);
    return 0;
}

/* Adds one well-formed line's stack s[0..n) with its counts. */
static int add_line(state *st, const uint8_t *s, size_t n, int64_t value, int64_t base, size_t line,
                    pprof_error *err)
{
    /* Three passes over the line's frames so that the name-table misses
     * overlap: hash and prefetch the slots, prefetch the records those
     * slots lead to, then look up (and add) in order. */
    size_t k = 0;
    bool named = false;
    for (size_t i = 0; i <= n;) {
        const uint8_t *semi = memchr(s + i, ';', n - i);
        size_t j = semi ? (size_t)(semi - s) : n;
        if (PPROF_GROW(st->fr, st->cap_fr, k + 1))
            return oom(err);
        uint64_t fh = pprof_hash_bytes(s + i, j - i);
        st->fr[k++] = (frame_ref){s + i, j - i, fh};
        __builtin_prefetch(&st->name_slots[fh & st->names_mask]);
        named = named || j > i;
        i = j + 1;
    }
    if (!named) {
        if (!st->bad_lines++)
            st->first_bad = line;
        return 0;
    }
    if (k > UINT32_MAX)
        return pprof_error_set(err, PPROF_ELIMIT, "folded stacks: line %zu: more than %u frames", line,
                               UINT32_MAX);
    for (size_t a = 0; a < k; a++) {
        uint32_t x = st->name_slots[st->fr[a].hash & st->names_mask];
        if (x)
            __builtin_prefetch(name_at(st, x - 1));
    }
    if (PPROF_GROW(st->tmp, st->cap_tmp, k))
        return oom(err);
    for (size_t a = 0; a < k; a++) {
        /* Leaf first, as samples hold them. */
        int rc = frame_loc(st, &st->fr[a], &st->tmp[k - 1 - a], line, err);
        if (rc)
            return rc;
    }
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ k;
    for (size_t a = 0; a < k; a++)
        h = pprof_hash_u64(h ^ st->tmp[a]) + a;
    if ((st->n_stacks + 1) * 2 > st->mask + 1 || !st->slots) {
        if (st->n_stacks >= UINT32_MAX - 1)
            return pprof_error_set(err, PPROF_ELIMIT, "folded stacks: line %zu: too many stacks", line);
        if (rehash(st, st->slots ? (st->mask + 1) * 2 : 1024))
            return oom(err);
    }
    size_t slot = h & st->mask;
    for (;;) {
        uint32_t si = st->slots[slot];
        if (!si)
            break;
        stack_rec *r = &st->stacks[si - 1];
        if (r->hash == h && r->n == k && memcmp(st->locs + r->off, st->tmp, k * sizeof *st->tmp) == 0)
            return add_counts(r, value, base, line, err);
        slot = (slot + 1) & st->mask;
    }
    if (PPROF_GROW(st->stacks, st->cap_stacks, st->n_stacks + 1) || PPROF_GROW(st->locs, st->cap_locs, st->n_locs + k))
        return oom(err);
    memcpy(st->locs + st->n_locs, st->tmp, k * sizeof *st->tmp);
    st->stacks[st->n_stacks] = (stack_rec){h, st->n_locs, (uint32_t)k, value, base};
    st->n_locs += k;
    st->slots[slot] = (uint32_t)++st->n_stacks;
    return 0;
}

static int count_at(span l, size_t tok, int64_t *v, size_t line, bool *frac, pprof_error *err)
{
    bool f;
    if (!parse_count(l.p + tok, l.n - tok, v, &f)) {
        size_t e = tok;
        while (e < l.n && !is_blank(l.p[e]))
            e++;
        int n = e - tok > 40 ? 40 : (int)(e - tok);
        return pprof_error_set(err, PPROF_EFORMAT, "folded stacks: line %zu: count %.*s%s is larger than %lld",
                               line, n, (const char *)l.p + tok, e - tok > 40 ? "..." : "",
                               (long long)INT64_MAX);
    }
    *frac = *frac || f;
    return 0;
}

/* Pass 1: differential when every well-formed line has two counts. */
static bool is_two_column(const uint8_t *d, size_t len, size_t start)
{
    size_t pos = start, two = 0;
    while (pos < len) {
        span l = trim(next_line(d, len, &pos));
        line_parse lp = classify(l);
        if (lp.kind == L_ONE && !memchr(l.p, 0, l.n))
            return false;
        two += lp.kind == L_TWO;
    }
    return two > 0;
}

static int parse_all(state *st, const uint8_t *d, size_t len, size_t start, pprof_error *err)
{
    size_t pos = start, line = 0;
    int rc;
    while (pos < len) {
        line++;
        span l = trim(next_line(d, len, &pos));
        line_parse lp = classify(l);
        if (lp.kind == L_BLANK || lp.kind == L_COMMENT)
            continue;
        if (lp.kind == L_BAD || (st->two && lp.kind != L_TWO) || memchr(l.p, 0, l.n)) {
            if (!st->bad_lines++)
                st->first_bad = line;
            continue;
        }
        int64_t value, base = 0;
        bool frac = false;
        size_t end = lp.end1;
        if ((rc = count_at(l, lp.tok1, &value, line, &frac, err)))
            return rc;
        if (st->two) {
            end = lp.end2;
            if ((rc = count_at((span){l.p, lp.end1}, lp.tok2, &base, line, &frac, err)))
                return rc;
        }
        st->frac_lines += frac;
        if ((rc = add_line(st, l.p, end, value, base, line, err)))
            return rc;
    }
    return 0;
}

static int add_note(pprof_profile *p, const char *msg)
{
    pprof_str s;
    if (pprof_profile_intern(&s, p, msg, strlen(msg)) || pprof_profile_add_comment(p, s))
        return PPROF_ENOMEM;
    return 0;
}

static int build_samples(state *st, pprof_error *err)
{
    pprof_profile *p = st->p;
    pprof_label base_label = {0};
    if (st->two && (pprof_profile_intern(&base_label.key, p, "pprof::base", 11) ||
                    pprof_profile_intern(&base_label.str, p, "true", 4)))
        return oom(err);
    for (size_t i = 0; i < st->n_stacks; i++) {
        const stack_rec *r = &st->stacks[i];
        if (st->two && !r->value)
            continue;
        if (pprof_profile_add_sample(p, st->locs + r->off, r->n, &r->value, NULL, 0))
            return oom(err);
    }
    for (size_t i = 0; st->two && i < st->n_stacks; i++) {
        const stack_rec *r = &st->stacks[i];
        int64_t v = -r->base;
        if (r->base && pprof_profile_add_sample(p, st->locs + r->off, r->n, &v, &base_label, 1))
            return oom(err);
    }
    char msg[160];
    if (st->bad_lines) {
        snprintf(msg, sizeof msg, "folded stacks: ignored %zu malformed line%s (the first is line %zu)",
                 st->bad_lines, st->bad_lines == 1 ? "" : "s", st->first_bad);
        if (add_note(p, msg))
            return oom(err);
    }
    if (st->frac_lines) {
        snprintf(msg, sizeof msg, "folded stacks: fractional counts truncated on %zu line%s", st->frac_lines,
                 st->frac_lines == 1 ? "" : "s");
        if (add_note(p, msg))
            return oom(err);
    }
    return 0;
}

int pprof_read_folded(pprof_profile **out, const uint8_t *data, size_t len, pprof_error *err)
{
    *out = NULL;
    if (!data && len)
        return pprof_error_set(err, PPROF_EINVAL, "folded stacks: no data");
    size_t start;
    int rc = detect(data, len, &start, err);
    if (rc)
        return rc;
    state st = {0};
    st.two = is_two_column(data, len, start);
    st.p = pprof_profile_new();
    if (!st.p)
        return oom(err);
    pprof_value_type vt;
    if (pprof_profile_intern(&vt.type, st.p, "samples", 7) || pprof_profile_intern(&vt.unit, st.p, "count", 5) ||
        pprof_profile_add_sample_type(st.p, vt)) {
        rc = oom(err);
        goto done;
    }
    if (pprof_slots_rebuild(&st.name_slots, &st.names_mask, 1024, 0, name_entry_hash, &st)) {
        rc = oom(err);
        goto done;
    }
    if ((rc = parse_all(&st, data, len, start, err)))
        goto done;
    if (!st.n_stacks) { /* only possible when every line lacks a frame */
        rc = pprof_error_set(err, PPROF_EFORMAT, "folded stacks: line %zu: no frame in any stack line",
                             st.first_bad);
        goto done;
    }
    if ((rc = build_samples(&st, err)))
        goto done;
    *out = st.p;
    st.p = NULL;
done:
    pprof_profile_free(st.p);
    free(st.names);
    free(st.name_slots);
    free(st.locs);
    free(st.stacks);
    free(st.slots);
    free(st.tmp);
    free(st.fr);
    return rc;
}
